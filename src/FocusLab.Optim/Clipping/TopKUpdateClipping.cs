namespace FocusLab.Optim;

/// <summary>
/// Coordinate-wise top-k clipping of the update instead of the gradient ("adam with clipped update" in
/// Pan &amp; Li's sharpness table): after the inner step, τ = the ⌊k·n⌋-th largest |Δθ| over the group's
/// n coordinates and every Δθ_i is clipped to [−τ, τ]. k = 0 is the identity. Costs one copy of θ and one
/// selection per step. Per-group hyperparameter <c>update_clip_fraction</c>.
/// </summary>
public sealed class TopKUpdateClipping(double clipFraction) : IStepTransform
{
    /// <summary>The per-group hyperparameter <c>update_clip_fraction</c>: k in [0, 1], the fraction of update coordinates clipped (default 0).</summary>
    public static readonly Hyperparameter Fraction =
        Hyperparameter.Real("update_clip_fraction", 0, 0, 1, description: "fraction k of update coordinates clipped (top-k by |Δθ|)");

    private float[][] _before = [];
    private float[][] _scratch = [];

    /// <summary>Validates k, sets <c>update_clip_fraction</c> on every group and allocates the θ copy and selection scratch of each group.</summary>
    public void Attach(Optimizer optimizer)
    {
        Fraction.Validate(clipFraction, optimizer.Id);
        foreach (var g in optimizer.Groups) g.Define(Fraction, clipFraction);
        _before = optimizer.Groups.Select(g => new float[checked((int)g.TotalLength)]).ToArray();
        _scratch = optimizer.Groups.Select(g => new float[checked((int)g.TotalLength)]).ToArray();
    }

    /// <summary>Remembers the group's θ before its update.</summary>
    public void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        var before = _before[group.Index].AsSpan();
        int offset = 0;
        for (int k = 0; k < group.Parameters.Count; k++)
        {
            var p = group.Parameters[k];
            p.DataSpan.CopyTo(before.Slice(offset, p.Length));
            offset += p.Length;
        }
    }

    /// <summary>Clips every coordinate of the group's update Δθ to [−τ, τ], τ the ⌊k·n⌋-th largest |Δθ|.</summary>
    public void AfterGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        double fraction = group.Get("update_clip_fraction");
        if (fraction == 0) return;
        var before = _before[group.Index].AsSpan();
        var abs = _scratch[group.Index].AsSpan();
        int offset = 0;
        for (int k = 0; k < group.Parameters.Count; k++)
        {
            var now = group.Parameters[k].DataSpan;
            for (int i = 0; i < now.Length; i++) abs[offset + i] = MathF.Abs(now[i] - before[offset + i]);
            offset += now.Length;
        }
        float tau = CoordinateClipping.Threshold(abs, fraction);
        offset = 0;
        for (int k = 0; k < group.Parameters.Count; k++)
        {
            var now = group.Parameters[k].DataSpan;
            for (int i = 0; i < now.Length; i++)
            {
                float b = before[offset + i], d = now[i] - b;
                if (d > tau) now[i] = b + tau;
                else if (d < -tau) now[i] = b - tau;
            }
            offset += now.Length;
        }
    }
}
