using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Tensors;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.ModelLoss;

/// <summary>
/// The engine's MLP on a fixed batch as an <see cref="IClassifierJacobian"/> (logits and their reverse-mode
/// vector-Jacobian products), for <see cref="GaussNewtonSmoothness"/>. BatchNorm runs in training mode
/// (batch statistics, running statistics untouched), exactly as <see cref="MlpModelLoss"/> evaluates the loss
/// the sharpness study measures: the Gauss–Newton matrix is then the Gauss–Newton part of that loss's Hessian.
/// In that mode every logit depends on every sample of the batch, and one reverse pass from a seed on sample
/// b's logits back-propagates through the batch statistics too, so J_b = ∂z_b/∂θ is the full Jacobian. The
/// model's mode and gradient buffers are restored after every call (the gradients are left zeroed).
/// </summary>
internal sealed class MlpClassifierJacobian : IClassifierJacobian
{
    private readonly Mlp<float> _model;
    private readonly Tensor<float> _inputs;
    private readonly Tape<float> _tape = new();
    private readonly float[] _seed;

    /// <param name="inputs">[B, inputs] features (not copied: keep them unchanged while in use), B ≥ 2 for BatchNorm.</param>
    public MlpClassifierJacobian(Mlp<float> model, Tensor<float> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        MlpModelLoss.CheckBatch(model, inputs);
        _model = model;
        _inputs = inputs;
        Samples = inputs.Shape[0];
        Classes = model.Config.Classes;
        Dimension = checked((int)model.ParameterCount);
        _seed = new float[Samples * Classes];
    }

    public int Samples { get; }
    public int Classes { get; }
    public int Dimension { get; }

    public void Logits(Span<double> logits)
    {
        Check.Length(Samples * Classes, logits.Length, "Logits buffer", nameof(logits));
        var restore = Enter();
        try
        {
            _tape.Reset();
            var z = _model.Forward(_tape, _inputs).Value.Span;
            for (int i = 0; i < z.Length; i++) logits[i] = z[i];
        }
        finally { restore(); }
    }

    public void VectorJacobianProduct(ReadOnlySpan<double> seed, Span<float> result)
    {
        Check.Length(Samples * Classes, seed.Length, "Seed", nameof(seed));
        Check.Length(Dimension, result.Length, "Result", nameof(result));
        for (int i = 0; i < seed.Length; i++) _seed[i] = (float)seed[i];
        var restore = Enter();
        try
        {
            _model.ZeroGrad();
            _tape.Reset();
            var z = _model.Forward(_tape, _inputs);
            _tape.Backward(z, _seed);
            _model.GatherGradients(result);
        }
        finally
        {
            _model.ZeroGrad();
            restore();
        }
    }

    private Action Enter() => _model.UseBatchStatisticsWithoutUpdates();
}
