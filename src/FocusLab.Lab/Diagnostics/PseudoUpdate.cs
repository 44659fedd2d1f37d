using FocusLab.Optim;

namespace FocusLab.Lab.Diagnostics;

/// <summary>Where the pseudo-update's steps are taken (see <see cref="PseudoUpdate"/>).</summary>
internal enum PseudoUpdateAnchor
{
    /// <summary>Every step starts from the checkpoint θ (the copy is reset before each step): moments accumulate the trajectory's gradients, and θ-dependent terms (weight decay, focus's θ̄, adafactor's relative step) see θ.</summary>
    Checkpoint,
    /// <summary>The copy follows its own steps from θ, as if the optimizer had been run from θ along those gradients.</summary>
    FollowSteps,
}

/// <summary>
/// Pseudo-update directions (Pan &amp; Li 2023, section 4): the step each optimizer would take at a checkpoint
/// θ given the gradients g₁…g_T along the recent trajectory (g_T the gradient at θ). The optimizer built from
/// its spec runs its moments over the same gradient sequence on a float32 COPY of θ; the last step's
/// Δθ = θ_after − θ_before is the direction. θ itself is never written. Δθ is formed in float32, so its
/// entries carry an absolute error up to ~6e-8·|θ_i| (one float rounding of θ_i) — relative to |Δθ| this is
/// small unless the learning rate is tiny compared with the parameters.
/// </summary>
internal static class PseudoUpdate
{
    /// <param name="optimizerSpec">Any <see cref="OptimizerFactory"/> spec, e.g. "adam:lr=1e-3", "sgd_clip:lr=0.1", "adam_clip:lr=1e-3,clip_fraction=0.5".</param>
    /// <param name="theta">The checkpoint (not modified).</param>
    /// <param name="gradients">Gradients along the trajectory, oldest first; the last is taken at θ.</param>
    /// <param name="layout">Tensor boundaries (per-tensor optimizers need them); default one flat tensor.</param>
    public static double[] Direction(string optimizerSpec, ReadOnlySpan<double> theta, IReadOnlyList<double[]> gradients, TensorLayout? layout = null, PseudoUpdateAnchor anchor = PseudoUpdateAnchor.Checkpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(optimizerSpec);
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Count == 0) throw new ArgumentException("A pseudo-update needs at least one gradient (the gradient at the checkpoint, last).", nameof(gradients));
        int d = theta.Length;
        layout ??= TensorLayout.Flat(d);
        if (layout.Count != d) throw new ArgumentException($"The layout holds {layout.Count} parameters but θ has {d}; pass the layout of this parameter vector.", nameof(layout));
        for (int k = 0; k < gradients.Count; k++)
        {
            if (gradients[k] is null || gradients[k].Length != d)
                throw new ArgumentException($"Gradient {k} has length {gradients[k]?.Length ?? 0} but θ has {d}; every gradient must match θ.", nameof(gradients));
            Check.Finite(gradients[k], $"Gradient {k}", nameof(gradients));
        }
        Check.Finite(theta, "Checkpoint θ", nameof(theta));

        var theta32 = new float[d];
        for (int i = 0; i < d; i++) theta32[i] = (float)theta[i];
        var tracker = new PseudoUpdateTracker(optimizerSpec, layout);
        var g32 = new float[d];
        for (int k = 0; k < gradients.Count; k++)
        {
            for (int i = 0; i < d; i++) g32[i] = (float)gradients[k][i];
            // FollowSteps: only the first step starts from θ; later ones continue from the copy.
            tracker.Step(anchor == PseudoUpdateAnchor.Checkpoint || k == 0 ? theta32 : default, g32);
        }
        return tracker.Direction();
    }
}
