using FocusLab.Optim;

namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// One optimizer's pseudo-update kept up to date along a trajectory (Pan &amp; Li 2023, section 4): its moments
/// accumulate every gradient it is shown, from the first step of the run, without moving the model. Each
/// <see cref="Step"/> resets a float32 copy to the trajectory's current parameters θ, feeds the gradient taken
/// there, and keeps Δθ = θ_after − θ — so θ-dependent terms (weight decay, focus's θ̄, adafactor's relative step)
/// see the real trajectory, and after the step at a checkpoint <see cref="Direction"/> is the update the optimizer
/// would take there. Memory: the optimizer's state plus three float vectors; no allocation per step.
/// </summary>
internal sealed class PseudoUpdateTracker
{
    private readonly float[] _data, _grad, _before;
    private readonly Optimizer _optimizer;

    /// <param name="optimizerSpec">Any <see cref="OptimizerFactory"/> spec.</param>
    /// <param name="layout">Tensor boundaries (per-tensor optimizers need them).</param>
    public PseudoUpdateTracker(string optimizerSpec, TensorLayout layout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(optimizerSpec);
        ArgumentNullException.ThrowIfNull(layout);
        int d = layout.Count;
        _data = new float[d];
        _grad = new float[d];
        _before = new float[d];
        var parameters = layout.Tensors.Select(t => new Parameter(t.Name, t.Shape, _data.AsMemory(t.Offset, t.Count), _grad.AsMemory(t.Offset, t.Count))).ToArray();
        _optimizer = OptimizerFactory.Create(optimizerSpec, parameters);
        _optimizer.Threads = 1; // the direction must not depend on the thread count
        Spec = optimizerSpec;
    }

    /// <summary>The optimizer spec this tracker runs.</summary>
    public string Spec { get; }

    /// <summary>Gradients seen so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Dimension d.</summary>
    public int Dimension => _data.Length;

    /// <summary>One optimizer step from <paramref name="theta"/> (or, when null, from where the previous step left the copy) with the gradient taken there.</summary>
    public void Step(ReadOnlySpan<float> theta, ReadOnlySpan<float> gradient)
    {
        Check.Length(_data.Length, gradient.Length, "Gradient", nameof(gradient));
        if (!theta.IsEmpty)
        {
            Check.Length(_data.Length, theta.Length, "Parameters θ", nameof(theta));
            theta.CopyTo(_data);
        }
        _data.CopyTo(_before, 0);
        gradient.CopyTo(_grad);
        _optimizer.Step();
        Steps++;
    }

    /// <summary>The last step's Δθ = θ_after − θ_before (formed in float32, widened to double).</summary>
    public double[] Direction()
    {
        if (Steps == 0) throw new InvalidOperationException($"The pseudo-update of {Spec} has seen no gradient yet; call Step with the gradient at the checkpoint first.");
        var direction = new double[_data.Length];
        for (int i = 0; i < direction.Length; i++) direction[i] = (double)_data[i] - _before[i];
        return direction;
    }
}
