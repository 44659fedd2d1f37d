using System.Buffers.Binary;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;

namespace FocusLab.Engine.Training;

/// <summary>The GPT on a byte-level corpus: random training windows, the first
/// <c>evalBatches</c> validation batches (in order) for evaluation; accuracy is next-byte top-1.</summary>
public sealed class GptLanguageTask : ITrainingTask
{
    private readonly Gpt<float> _model;
    private readonly TextBatchSampler _sampler;
    private readonly TextCorpus _corpus;
    private readonly int _batch, _evalBatches;
    private readonly int[] _inputs, _targets;
    private readonly Tape<float> _tape = new();
    private readonly Tape<float> _evalTape = new(recordGradients: false);

    public GptLanguageTask(TextCorpus corpus, GptConfig config, int batch, int evalBatches, ulong seed)
    {
        if (corpus.Train.Length <= config.BlockSize + 1)
            throw new ArgumentException($"The training text has {corpus.Train.Length} bytes, fewer than block size + 2 = {config.BlockSize + 2}; use a larger corpus or a smaller --block-size.");
        if (corpus.Validation.Length <= config.BlockSize + 1)
            throw new ArgumentException($"The validation text has {corpus.Validation.Length} bytes, fewer than block size + 2; use a larger corpus.");
        _corpus = corpus;
        _model = new Gpt<float>(config, seed: (int)(seed & 0x7FFFFFFF)) { DropoutSeed = seed };
        _sampler = new TextBatchSampler(corpus.Train, batch, config.BlockSize, seed);
        _batch = batch; _evalBatches = evalBatches;
        _inputs = new int[batch * config.BlockSize];
        _targets = new int[batch * config.BlockSize];
    }

    public Module<float> Model => _model;
    public string ItemName => "tokens";
    public int ItemsPerStep => _inputs.Length;

    public double TrainStep()
    {
        _sampler.NextBatch(_inputs, _targets);
        _model.Training = true;
        _tape.Reset();
        var loss = _model.Loss(_tape, _inputs, _targets, _batch, _model.Config.BlockSize);
        _tape.Backward(loss);
        return loss.Value[0];
    }

    public (double Loss, double Accuracy) Evaluate()
    {
        _model.Training = false;
        var batches = new TextValidationBatches(_corpus.Validation, _batch, _model.Config.BlockSize);
        double lossSum = 0; long correct = 0, count = 0;
        int t = _model.Config.BlockSize;
        var inputs = new int[_batch * t]; var targets = new int[_batch * t];
        for (int i = 0; i < Math.Min(_evalBatches, batches.BatchCount); i++)
        {
            int rows = batches.GetBatch(i, inputs, targets);
            int n = rows * t;
            _evalTape.Reset();
            var logits = _model.Forward(_evalTape, inputs, rows, t);
            lossSum += _evalTape.CrossEntropy(logits, targets[..n]).Value[0] * (double)n;
            correct += Accuracy.CountCorrect(logits.Value, targets.AsSpan(0, n));
            count += n;
        }
        _model.Training = true;
        return (lossSum / count, (double)correct / count);
    }

    public byte[] SamplerState() => _sampler.State.ToBytes();
    public void RestoreSampler(ReadOnlySpan<byte> state) => _sampler.Restore(TextSamplerState.FromBytes(state));

    /// <summary>Dropout masks are a function of (seed, forward-pass counter).</summary>
    public byte[] RandomState()
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, _model.DropoutSeed);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8), _model.ForwardPasses);
        return b;
    }

    public void RestoreRandom(ReadOnlySpan<byte> state)
    {
        if (state.Length != 16) throw new InvalidDataException($"The checkpoint's rng section has {state.Length} bytes; expected 16.");
        _model.DropoutSeed = BinaryPrimitives.ReadUInt64LittleEndian(state);
        _model.ForwardPasses = BinaryPrimitives.ReadInt64LittleEndian(state[8..]);
    }
}
