using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;

namespace FocusLab.Lab.ModelLoss;

/// <summary>
/// The engine's GPT on a fixed batch of token windows as an <see cref="Diagnostics.IModelHessian"/>: mean
/// next-token cross-entropy in evaluation mode (no dropout, the dropout pass counter untouched), so every
/// probe is a deterministic function of θ.
/// </summary>
public sealed class GptModelLoss : EngineModelLoss
{
    private readonly Gpt<float> _model;
    private readonly int[] _tokens, _targets;
    private readonly int _batch, _time;
    private Gpt<double>? _twin;

    /// <param name="tokens">[batch, time] token ids, row-major (not copied).</param>
    /// <param name="targets">Next-token targets in the same layout.</param>
    public GptModelLoss(Gpt<float> model, int[] tokens, int[] targets, int batch, int time) : base(model)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(targets);
        if (batch < 1 || time < 1 || time > model.Config.BlockSize)
            throw new ArgumentException($"Batch {batch} × time {time}: the batch must be positive and the time in [1, block_size = {model.Config.BlockSize}].");
        if (tokens.Length != batch * time || targets.Length != batch * time)
            throw new ArgumentException($"Expected {batch}×{time} = {batch * time} tokens and targets, got {tokens.Length} and {targets.Length}.");
        foreach (int t in tokens.Concat(targets))
            if ((uint)t >= (uint)model.Config.VocabSize) throw new ArgumentException($"Token id {t} is outside the vocabulary [0, {model.Config.VocabSize}).");
        _model = model;
        _tokens = tokens;
        _targets = targets;
        _batch = batch;
        _time = time;
    }

    protected override Module<double> Twin => _twin ??= new Gpt<double>(_model.Config with { Dropout = 0 }, seed: 0) { Training = false };

    protected override Variable<float> Loss(Tape<float> tape) => _model.Loss(tape, _tokens, _targets, _batch, _time);

    protected override Variable<double> Loss(Tape<double> tape) => _twin!.Loss(tape, _tokens, _targets, _batch, _time);

    protected override Action Enter()
    {
        bool training = _model.Training;
        _model.Training = false;
        return () => _model.Training = training;
    }
}
