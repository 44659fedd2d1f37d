namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// Hessian-vector products of any <see cref="IObjective"/> by central differences of its gradient:
/// Hv ≈ (∇L(x + t v) − ∇L(x − t v)) / (2t), with t = h·max(1, ‖x‖)/‖v‖ so the probe moves x by
/// h·max(1, ‖x‖) whatever v's scale. The Taylor remainder is (t²/6)·∇⁴L[v, v, v] per component, so the
/// truncation error is O(h²) (exact for quadratics); rounding adds O(ε_mach·|∇L|/t), hence the default
/// h = 1e-4 (ε_mach^(1/3) balances the two). Costs two gradients.
/// </summary>
internal sealed class FiniteDifferenceHessian : IHessianOperator
{
    private readonly IObjective _objective;
    private readonly double[] _probe, _gPlus, _gMinus;

    public FiniteDifferenceHessian(IObjective objective, double h = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Check.Positive(h, nameof(h));
        _objective = objective;
        Step = h;
        _probe = new double[objective.Dimension];
        _gPlus = new double[objective.Dimension];
        _gMinus = new double[objective.Dimension];
    }

    public int Dimension => _objective.Dimension;

    /// <summary>The relative step h.</summary>
    public double Step { get; }

    /// <summary>Not thread-safe: reuses scratch buffers (no allocation per product).</summary>
    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        Check.Length(Dimension, x.Length, "Point x", nameof(x));
        Check.Length(Dimension, v.Length, "Vector v", nameof(v));
        Check.Length(Dimension, hv.Length, "Output hv", nameof(hv));
        double vn = Vec.Norm(v);
        if (vn == 0) { hv.Clear(); return; }
        double t = Step * Math.Max(1, Vec.Norm(x)) / vn;
        Vec.AddScaled(x, t, v, _probe);
        _objective.Gradient(_probe, _gPlus);
        Vec.AddScaled(x, -t, v, _probe);
        _objective.Gradient(_probe, _gMinus);
        for (int i = 0; i < hv.Length; i++) hv[i] = (_gPlus[i] - _gMinus[i]) / (2 * t);
    }
}
