using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>The engine's GPT on a byte-level text corpus, random windows (nanoGPT's get_batch).</summary>
public sealed class SharpnessGptTask : SharpnessTask
{
    private readonly Gpt<float> _model;
    private readonly TextBatchSampler _sampler;
    private readonly int[] _tokens, _targets, _measureTokens, _measureTargets;
    private readonly int _batch, _measureBatch;
    private readonly Tape<float> _tape = new();

    public SharpnessGptTask(GptConfig config, byte[] trainText, int batch, int measureBatch, int seed)
    {
        ArgumentNullException.ThrowIfNull(trainText);
        if (trainText.Length < config.BlockSize + 2)
            throw new ArgumentException($"The training text has {trainText.Length} bytes; the GPT needs at least block_size + 2 = {config.BlockSize + 2}.");
        _model = new Gpt<float>(config, seed);
        _batch = batch;
        _measureBatch = measureBatch;
        _sampler = new TextBatchSampler(trainText, batch, config.BlockSize, (ulong)seed);
        _tokens = new int[batch * config.BlockSize];
        _targets = new int[batch * config.BlockSize];
        // The measurement batch comes from its own stream so it does not depend on the number of training steps.
        var measure = new TextBatchSampler(trainText, measureBatch, config.BlockSize, (ulong)seed ^ 0x5A5A_1234UL);
        _measureTokens = new int[measureBatch * config.BlockSize];
        _measureTargets = new int[measureBatch * config.BlockSize];
        measure.NextBatch(_measureTokens, _measureTargets);
    }

    public override Module<float> Model => _model;

    public override double ForwardBackward()
    {
        _sampler.NextBatch(_tokens, _targets);
        _model.ZeroGrad();
        _tape.Reset();
        var loss = _model.Loss(_tape, _tokens, _targets, _batch, _model.Config.BlockSize);
        _tape.Backward(loss);
        return loss.Value[0];
    }

    public override EngineModelLoss MeasurementLoss() => new GptModelLoss(_model, _measureTokens, _measureTargets, _measureBatch, _model.Config.BlockSize);

    /// <summary>The first windows of the measurement batch, each predicting its last token (<see cref="GptClassifierJacobian"/>).</summary>
    public override Diagnostics.IClassifierJacobian GaussNewtonBatch(int samples)
    {
        if (samples < 1 || samples > _measureBatch) throw new ArgumentException($"The Gauss–Newton batch must hold 1..{_measureBatch} windows (the measurement batch); got {samples}.", nameof(samples));
        int time = _model.Config.BlockSize;
        return new GptClassifierJacobian(_model, _measureTokens[..(samples * time)], samples, time);
    }
}
