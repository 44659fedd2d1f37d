using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Sampling;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Training;

/// <summary>The FOCUS MLP on a classification dataset (e.g. Fashion-MNIST): shuffled batches,
/// evaluation on the whole test set in evaluation mode (running BatchNorm statistics).</summary>
public sealed class MlpClassificationTask : ITrainingTask
{
    private const int EvalBatch = 1000;
    private readonly ClassificationDataset _train, _test;
    private readonly Mlp<float> _model;
    private readonly ShuffledBatchSampler _sampler;
    private readonly Tape<float> _tape = new();
    private readonly Tape<float> _evalTape = new(recordGradients: false);
    private readonly int[] _indices, _labels;
    private readonly Tensor<float> _inputs;

    public MlpClassificationTask(ClassificationDataset train, ClassificationDataset test, int batch, ulong seed)
    {
        if (train.SampleSize != test.SampleSize || train.ClassCount != test.ClassCount)
            throw new ArgumentException("The training and test sets have different sample sizes or class counts.");
        if (batch > train.Count) throw new ArgumentException($"--batch {batch} is larger than the training set ({train.Count} samples).");
        _train = train; _test = test;
        _model = new Mlp<float>(new MlpConfig(train.SampleSize, 128, 5, train.ClassCount), seed: (int)(seed & 0x7FFFFFFF));
        _sampler = new ShuffledBatchSampler(train.Count, batch, seed);
        _indices = new int[batch]; _labels = new int[batch];
        _inputs = new Tensor<float>(batch, train.SampleSize);
    }

    public Module<float> Model => _model;
    public string ItemName => "samples";
    public int ItemsPerStep => _indices.Length;

    public double TrainStep()
    {
        _sampler.NextBatch(_indices);
        _train.GatherBatch(_indices, _inputs.Span, _labels);
        _model.Training = true;
        _tape.Reset();
        var loss = _model.Loss(_tape, _inputs, _labels);
        _tape.Backward(loss);
        return loss.Value[0];
    }

    public (double Loss, double Accuracy) Evaluate()
    {
        _model.Training = false;
        double lossSum = 0; long correct = 0;
        for (int start = 0; start < _test.Count; start += EvalBatch)
        {
            int n = Math.Min(EvalBatch, _test.Count - start);
            var x = new Tensor<float>(n, _test.SampleSize);
            _test.SampleRange(start, n).CopyTo(x.Span);
            var labels = _test.LabelRange(start, n).ToArray();
            _evalTape.Reset();
            var logits = _model.Forward(_evalTape, x);
            lossSum += _evalTape.CrossEntropy(logits, labels).Value[0] * (double)n;
            correct += Accuracy.CountCorrect(logits.Value, labels);
        }
        _model.Training = true;
        return (lossSum / _test.Count, (double)correct / _test.Count);
    }

    public byte[] SamplerState() => _sampler.State.ToBytes();
    public void RestoreSampler(ReadOnlySpan<byte> state) => _sampler.Restore(ShuffledBatchSamplerState.FromBytes(state));
    public byte[] RandomState() => []; // the MLP draws no random numbers while training (no dropout)
    public void RestoreRandom(ReadOnlySpan<byte> state) { }
}
