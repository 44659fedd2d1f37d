namespace FocusLab.Optim;

/// <summary>
/// Coordinate-wise top-k clipping (Pan &amp; Li 2023, "Toward understanding why Adam converges faster
/// than SGD for transformers"). Per group and step, τ = the ⌊k·n⌋-th largest |g| (0-based, over all n
/// coordinates of the group) and ĝ = sign(g)·min(|g|, τ). Non-adaptive optimizers step with ĝ in place
/// of g (the gradient buffers are clipped in place). Adaptive ones (<see cref="IFirstMomentClipping"/>:
/// adam, adamw, adafactor, adasgd, blockwise adam) feed ĝ to the first moment only, with τ computed
/// from the gradient their moments see (after coupled L2), and keep the unclipped g in the second moment.
/// k = 0 is the identity. The fraction is the per-group hyperparameter <c>clip_fraction</c>.
/// </summary>
public sealed class CoordinateClipping(double clipFraction) : IStepTransform
{
    /// <summary>The per-group hyperparameter <c>clip_fraction</c>: k in [0, 1], the fraction of coordinates clipped (default 0).</summary>
    public static readonly Hyperparameter Fraction =
        Hyperparameter.Real("clip_fraction", 0, 0, 1, description: "fraction k of coordinates clipped (top-k by |g|)");

    private float[][] _scratch = [];

    /// <summary>Threshold τ used for each group at the last step (+∞ when k = 0).</summary>
    public float[] LastThreshold { get; private set; } = [];

    /// <summary>Validates k, sets <c>clip_fraction</c> on every group and allocates one |g| scratch buffer per group.</summary>
    public void Attach(Optimizer optimizer)
    {
        Fraction.Validate(clipFraction, optimizer.Id);
        foreach (var g in optimizer.Groups) g.Define(Fraction, clipFraction);
        _scratch = optimizer.Groups.Select(g => new float[checked((int)g.TotalLength)]).ToArray();
        LastThreshold = new float[optimizer.Groups.Count];
    }

    /// <summary>
    /// Computes the group's τ from its current k and either clamps the gradients to [−τ, τ] in place
    /// (non-adaptive optimizers) or hands τ to the first moment (<see cref="IFirstMomentClipping"/>).
    /// </summary>
    public void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        double k = group.Get("clip_fraction");
        var adaptive = optimizer as IFirstMomentClipping;
        if (k == 0)
        {
            LastThreshold[group.Index] = float.PositiveInfinity;
            adaptive?.SetFirstMomentThreshold(group, float.PositiveInfinity);
            return;
        }
        var abs = _scratch[group.Index].AsSpan();
        int offset = 0;
        for (int j = 0; j < group.Parameters.Count; j++) // index loops: no boxed enumerator per step
        {
            var p = group.Parameters[j];
            var dest = abs.Slice(offset, p.Length);
            if (adaptive is not null) adaptive.EffectiveGradient(group, p, dest);
            else p.GradSpan.CopyTo(dest);
            System.Numerics.Tensors.TensorPrimitives.Abs(dest, dest);
            offset += p.Length;
        }
        float tau = Threshold(abs, k);
        LastThreshold[group.Index] = tau;
        if (adaptive is not null)
        {
            adaptive.SetFirstMomentThreshold(group, tau);
            return;
        }
        for (int j = 0; j < group.Parameters.Count; j++)
        {
            var grad = group.Parameters[j].GradSpan;
            System.Numerics.Tensors.TensorPrimitives.Clamp(grad, -tau, tau, grad);
        }
    }

    /// <summary>Nothing: gradient clipping acts before the update only.</summary>
    public void AfterGroup(Optimizer optimizer, ParameterGroup group, long t) { }

    /// <summary>τ = the ⌊k·n⌋-th largest value (0-based) of <paramref name="abs"/>, which is reordered.</summary>
    public static float Threshold(Span<float> abs, double k)
    {
        int n = abs.Length;
        if (n == 0) return float.PositiveInfinity;
        return Selection.NthSmallest(abs, n - 1 - Rank(n, k));
    }

    /// <summary>The 0-based rank, in decreasing order, of τ among <paramref name="n"/> ≥ 1 values for fraction <paramref name="k"/>: min(n − 1, ⌊k·n⌋).</summary>
    public static int Rank(int n, double k) => (int)Math.Min(n - 1, Math.Floor(k * n));
}
