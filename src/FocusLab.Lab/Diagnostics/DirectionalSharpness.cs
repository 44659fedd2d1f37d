namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// Curvature and slope of the loss along one direction u at x (Pan &amp; Li 2023, section 3).
/// <see cref="Sharpness"/> is uᵀH(x)u/‖u‖² unless that is negative, in which case it is the robust form
/// uᵀH(x + δu)u/‖u‖² (<see cref="UsedRobustForm"/> is then true and <see cref="PlainSharpness"/> keeps the
/// negative value).
/// </summary>
public sealed record DirectionalSharpnessResult(
    double Sharpness,
    double PlainSharpness,
    bool UsedRobustForm,
    double Delta,
    double GradientCorrelation,
    double DirectionNorm,
    double Loss);

internal static class DirectionalSharpness
{
    /// <summary>δ of the robust form uᵀH(x + δu)u (Pan &amp; Li).</summary>
    public const double DefaultDelta = 0.01;

    /// <summary>
    /// Measures uᵀHu/‖u‖² and the gradient correlation ∇L(x)ᵀu/‖u‖ (negative means u points downhill).
    /// The robust point is x + δ·u with u as given (not normalised), as in the paper's formula.
    /// </summary>
    public static DirectionalSharpnessResult Measure(IObjective objective, IHessianOperator hessian, ReadOnlySpan<double> x, ReadOnlySpan<double> u, double delta = DefaultDelta)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(hessian);
        int d = objective.Dimension;
        if (hessian.Dimension != d) throw new ArgumentException($"The Hessian operator has dimension {hessian.Dimension} but the objective has {d}; they must describe the same parameters.", nameof(hessian));
        Check.Length(d, x.Length, "Point x", nameof(x));
        Check.Length(d, u.Length, "Direction u", nameof(u));
        Check.Positive(delta, nameof(delta));
        Check.Finite(u, "Direction u", nameof(u));
        double n2 = Vec.Dot(u, u);
        if (n2 == 0) throw new ArgumentException("Direction u is zero; directional sharpness needs a non-zero direction.", nameof(u));

        var g = new double[d];
        double loss = objective.Gradient(x, g);
        double corr = Vec.Dot(g, u) / Math.Sqrt(n2);

        var hu = new double[d];
        hessian.HessianVectorProduct(x, u, hu);
        double plain = Vec.Dot(u, hu) / n2;
        if (plain >= 0) return new(plain, plain, false, delta, corr, Math.Sqrt(n2), loss);

        var shifted = new double[d];
        Vec.AddScaled(x, delta, u, shifted);
        hessian.HessianVectorProduct(shifted, u, hu);
        double robust = Vec.Dot(u, hu) / n2;
        return new(robust, plain, true, delta, corr, Math.Sqrt(n2), loss);
    }
}
