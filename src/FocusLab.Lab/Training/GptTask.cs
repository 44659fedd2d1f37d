using System.Buffers.Binary;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;

namespace FocusLab.Lab.Training;

/// <summary>
/// The nanoGPT-style decoder on a byte-level corpus: random training windows
/// (<see cref="TextBatchSampler"/>), validation on the first <c>evalBatches</c> in-order batches of
/// the held-out end of the corpus (<see cref="TextValidationBatches"/>), so every evaluation sees the
/// same tokens.
/// </summary>
public sealed class GptTask : ITrainingTask
{
    private readonly TextCorpus _corpus;
    private readonly Gpt<float> _model;
    private readonly TextBatchSampler _sampler;
    private readonly TextValidationBatches _validation;
    private readonly int[] _inputs, _targets, _evalInputs, _evalTargets, _sampledLabels;
    private readonly Tape<float> _evalTape = new(recordGradients: false);
    private readonly int _evalBatches;

    /// <param name="evalBatches">Validation batches per evaluation (0 = all of them).</param>
    public GptTask(TextCorpus corpus, GptConfig config, int batch, int seed, int evalBatches = 32)
    {
        if (batch < 1) throw new ArgumentException($"--batch must be at least 1; got {batch}.");
        if (evalBatches < 0) throw new ArgumentException($"--eval-batches must be ≥ 0; got {evalBatches}.");
        if (config.VocabSize != TextCorpus.VocabularySize)
            throw new ArgumentException($"The byte-level corpus needs a vocabulary of {TextCorpus.VocabularySize}; got {config.VocabSize}.");
        _corpus = corpus;
        _model = new Gpt<float>(config, seed);
        _sampler = new TextBatchSampler(corpus.Train, batch, config.BlockSize, DeriveSamplerSeed(seed));
        _validation = new TextValidationBatches(corpus.Validation, batch, config.BlockSize);
        _evalBatches = evalBatches == 0 ? _validation.BatchCount : Math.Min(evalBatches, _validation.BatchCount);
        _inputs = new int[batch * config.BlockSize];
        _targets = new int[batch * config.BlockSize];
        _evalInputs = new int[batch * config.BlockSize];
        _evalTargets = new int[batch * config.BlockSize];
        _sampledLabels = new int[batch * config.BlockSize];
        Batch = batch;
        Seed = seed;
    }

    public int Seed { get; }

    public int Batch { get; }
    public GptConfig Config => _model.Config;
    public string Kind => "gpt";
    public Module<float> Model => _model;
    public int ItemsPerStep => Batch * _model.Config.BlockSize;
    public string ItemName => "tokens";

    public Variable<float> NextLoss(Tape<float> tape)
    {
        _sampler.NextBatch(_inputs, _targets);
        return _model.Loss(tape, _inputs, _targets, Batch, _model.Config.BlockSize);
    }

    /// <inheritdoc/>
    public Variable<float> SampledLabelLoss(Tape<float> tape, ulong seed)
    {
        var logits = _model.Forward(tape, _inputs, Batch, _model.Config.BlockSize);
        return GaussNewtonBartlett.SampledLabelLoss(tape, logits, _sampledLabels, seed);
    }

    public Evaluation Evaluate()
    {
        _model.Training = false;
        try
        {
            int t = _model.Config.BlockSize, vocab = _model.Config.VocabSize;
            double lossSum = 0;
            long correct = 0, count = 0;
            for (int b = 0; b < _evalBatches; b++)
            {
                int rows = _validation.GetBatch(b, _evalInputs, _evalTargets);
                int n = rows * t;
                var targets = rows == Batch ? _evalTargets : _evalTargets[..n];
                _evalTape.Reset();
                var logits = _model.Forward(_evalTape, _evalInputs, rows, t);
                var loss = _evalTape.CrossEntropy(logits, targets);
                lossSum += (double)loss.Value[0] * n;
                correct += Metrics.CountCorrect(logits.Value.Span, targets, vocab);
                count += n;
            }
            return new Evaluation(lossSum / count, (double)correct / count);
        }
        finally
        {
            _model.Training = true;
        }
    }

    public byte[] SamplerState() => _sampler.State.ToBytes();

    public void RestoreSampler(byte[] state) => _sampler.Restore(TextSamplerState.FromBytes(state));

    /// <summary>Dropout seed and the number of forward passes so far (the dropout masks derive from both).</summary>
    public byte[] RngState()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, _model.DropoutSeed);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), _model.ForwardPasses);
        return bytes;
    }

    public void RestoreRng(byte[] state)
    {
        if (state.Length != 16) throw new InvalidDataException($"GPT random state must be 16 bytes; the checkpoint stores {state.Length}. Is it an MLP checkpoint?");
        _model.DropoutSeed = BinaryPrimitives.ReadUInt64LittleEndian(state);
        _model.ForwardPasses = BinaryPrimitives.ReadInt64LittleEndian(state.AsSpan(8));
    }

    public IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string>
    {
        ["model"] = "gpt",
        ["n_layer"] = Config.Layers.ToString(),
        ["n_head"] = Config.Heads.ToString(),
        ["n_embd"] = Config.Embedding.ToString(),
        ["block_size"] = Config.BlockSize.ToString(),
        ["vocab_size"] = Config.VocabSize.ToString(),
        ["dropout"] = Config.Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["batch"] = Batch.ToString(),
        ["seed"] = Seed.ToString(),
        ["train_tokens"] = _corpus.Train.Length.ToString(),
        ["eval_tokens"] = (_evalBatches * (long)ItemsPerStep).ToString(),
    };

    public static ulong DeriveSamplerSeed(int seed) => unchecked((ulong)(uint)seed * 0xD1B54A32D192ED03UL + 0x7E47);
}
