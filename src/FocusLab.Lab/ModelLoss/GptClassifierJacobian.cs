using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.ModelLoss;

/// <summary>
/// The engine's GPT as an <see cref="IClassifierJacobian"/> for <see cref="GaussNewtonSmoothness"/>: each sample is the
/// next-token prediction at the last position of one token window (the position that sees the whole window), over
/// the vocabulary's K classes. Evaluation mode (no dropout, the pass counter untouched), like <see cref="GptModelLoss"/>.
/// One reverse pass per (sample, class) row runs over all the windows; the model's mode is restored and its gradient
/// buffers are left zeroed after every call.
/// </summary>
internal sealed class GptClassifierJacobian : IClassifierJacobian
{
    private readonly Gpt<float> _model;
    private readonly int[] _tokens;
    private readonly int _time;
    private readonly Tape<float> _tape = new();
    private readonly float[] _seed;

    /// <param name="tokens">[samples, time] token ids, row-major (not copied: keep them unchanged while in use).</param>
    public GptClassifierJacobian(Gpt<float> model, int[] tokens, int samples, int time)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        if (samples < 1 || time < 1 || time > model.Config.BlockSize)
            throw new ArgumentException($"Samples {samples} × time {time}: need at least one window and a time in [1, block_size = {model.Config.BlockSize}].");
        if (tokens.Length != samples * time) throw new ArgumentException($"Expected {samples}×{time} = {samples * time} token ids, got {tokens.Length}.");
        foreach (int t in tokens)
            if ((uint)t >= (uint)model.Config.VocabSize) throw new ArgumentException($"Token id {t} is outside the vocabulary [0, {model.Config.VocabSize}).");
        _model = model;
        _tokens = tokens;
        _time = time;
        Samples = samples;
        Classes = model.Config.VocabSize;
        Dimension = checked((int)model.ParameterCount);
        _seed = new float[samples * time * Classes];
    }

    /// <inheritdoc/>
    public int Samples { get; }
    /// <inheritdoc/>
    public int Classes { get; }
    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public void Logits(Span<double> logits)
    {
        Check.Length(Samples * Classes, logits.Length, "Logits buffer", nameof(logits));
        bool training = _model.Training;
        _model.Training = false;
        try
        {
            _tape.Reset();
            var z = _model.Forward(_tape, _tokens, Samples, _time).Value.Span;
            for (int s = 0; s < Samples; s++)
                for (int k = 0; k < Classes; k++) logits[s * Classes + k] = z[LastPosition(s) + k];
        }
        finally { _model.Training = training; }
    }

    /// <inheritdoc/>
    public void VectorJacobianProduct(ReadOnlySpan<double> seed, Span<float> result)
    {
        Check.Length(Samples * Classes, seed.Length, "Seed", nameof(seed));
        Check.Length(Dimension, result.Length, "Result", nameof(result));
        Array.Clear(_seed);
        for (int s = 0; s < Samples; s++)
            for (int k = 0; k < Classes; k++) _seed[LastPosition(s) + k] = (float)seed[s * Classes + k];
        bool training = _model.Training;
        _model.Training = false;
        try
        {
            _model.ZeroGrad();
            _tape.Reset();
            var z = _model.Forward(_tape, _tokens, Samples, _time);
            _tape.Backward(z, _seed);
            _model.GatherGradients(result);
        }
        finally
        {
            _model.ZeroGrad();
            _model.Training = training;
        }
    }

    /// <summary>Offset of sample s's last-position logits in the [samples, time, K] output.</summary>
    private int LastPosition(int s) => (s * _time + _time - 1) * Classes;
}
