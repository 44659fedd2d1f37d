using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Sampling;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Lab.Training;

/// <summary>
/// The FOCUS batch-size MLP on an MNIST-format dataset: shuffled training batches
/// (<see cref="ShuffledBatchSampler"/>), evaluation on the test set in evaluation mode (batch-norm
/// running statistics), in chunks so memory stays bounded.
/// </summary>
public sealed class MlpTask : ITrainingTask
{
    private const int EvalChunk = 1000;
    private readonly ClassificationDataset _train, _test;
    private readonly Mlp<float> _model;
    private readonly ShuffledBatchSampler _sampler;
    private readonly int[] _indices, _labels, _sampledLabels;
    private readonly Tensor<float> _inputs;
    private readonly Tape<float> _evalTape = new(recordGradients: false);
    private readonly int _evalSamples;

    /// <param name="seed">Initialisation uses <paramref name="seed"/>; the batch order a value derived from it.</param>
    /// <param name="evalSamples">How many test samples (from the start of the test set) to evaluate; 0 = all.</param>
    public MlpTask(ClassificationDataset train, ClassificationDataset test, int batch, int seed, MlpConfig? config = null, int evalSamples = 0)
    {
        if (batch < 1 || batch > train.Count)
            throw new ArgumentException($"--batch {batch} must be between 1 and the number of training samples ({train.Count}).");
        if (batch == 1)
            throw new ArgumentException("--batch 1 is not possible with batch normalisation (the variance of one sample is 0); use --batch 2 or more.");
        if (evalSamples < 0) throw new ArgumentException($"The number of evaluation samples must be ≥ 0; got {evalSamples}.");
        _train = train;
        _test = test;
        var cfg = (config ?? new MlpConfig()) with { Inputs = train.SampleSize, Classes = train.ClassCount };
        _model = new Mlp<float>(cfg, seed);
        _sampler = new ShuffledBatchSampler(train.Count, batch, DeriveSamplerSeed(seed));
        _indices = new int[batch];
        _labels = new int[batch];
        _sampledLabels = new int[batch];
        _inputs = new Tensor<float>(batch, train.SampleSize);
        _evalSamples = evalSamples == 0 ? test.Count : Math.Min(evalSamples, test.Count);
        Batch = batch;
        Seed = seed;
    }

    public int Seed { get; }

    public int Batch { get; }
    public string Kind => "mlp";
    public Module<float> Model => _model;
    public int ItemsPerStep => Batch;
    public string ItemName => "samples";

    public Variable<float> NextLoss(Tape<float> tape)
    {
        _sampler.NextBatch(_indices);
        _train.GatherBatch(_indices, _inputs.Span, _labels);
        return _model.Loss(tape, _inputs, _labels);
    }

    /// <inheritdoc/>
    public Variable<float> SampledLabelLoss(Tape<float> tape, ulong seed)
    {
        // A training-mode forward pass updates the batch-norm running statistics; this extra pass must not.
        var state = _model.State;
        var saved = state.Select(s => s.Span.ToArray()).ToArray();
        var logits = _model.Forward(tape, _inputs);
        for (int i = 0; i < state.Count; i++) saved[i].CopyTo(state[i].Span);
        return GaussNewtonBartlett.SampledLabelLoss(tape, logits, _sampledLabels, seed);
    }

    public Evaluation Evaluate()
    {
        _model.Training = false;
        try
        {
            double lossSum = 0;
            long correct = 0;
            int classes = _test.ClassCount;
            for (int start = 0; start < _evalSamples; start += EvalChunk)
            {
                int n = Math.Min(EvalChunk, _evalSamples - start);
                var x = new Tensor<float>(_test.SampleRange(start, n).ToArray(), n, _test.SampleSize);
                var labels = _test.LabelRange(start, n).ToArray();
                _evalTape.Reset();
                var logits = _model.Forward(_evalTape, x);
                var loss = _evalTape.CrossEntropy(logits, labels);
                lossSum += (double)loss.Value[0] * n;
                correct += Metrics.CountCorrect(logits.Value.Span, labels, classes);
            }
            return new Evaluation(lossSum / _evalSamples, (double)correct / _evalSamples);
        }
        finally
        {
            _model.Training = true;
        }
    }

    public byte[] SamplerState() => _sampler.State.ToBytes();

    public void RestoreSampler(byte[] state) => _sampler.Restore(ShuffledBatchSamplerState.FromBytes(state));

    public byte[] RngState() => [];

    public void RestoreRng(byte[] state)
    {
        if (state.Length != 0) throw new InvalidDataException($"The MLP task has no random state, but the checkpoint stores {state.Length} bytes; is it a GPT checkpoint?");
    }

    public IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string>
    {
        ["model"] = "mlp",
        ["inputs"] = _model.Config.Inputs.ToString(),
        ["hidden"] = _model.Config.Hidden.ToString(),
        ["depth"] = _model.Config.Depth.ToString(),
        ["classes"] = _model.Config.Classes.ToString(),
        ["batch"] = Batch.ToString(),
        ["seed"] = Seed.ToString(),
        ["train_samples"] = _train.Count.ToString(),
        ["eval_samples"] = _evalSamples.ToString(),
    };

    /// <summary>The batch stream's seed: a fixed odd-multiplier mix of the run seed, so it differs from the init stream.</summary>
    public static ulong DeriveSamplerSeed(int seed) => unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 0x5A4D);
}
