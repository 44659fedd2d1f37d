namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// The Hessian of a loss as a linear operator: every curvature diagnostic (Lanczos, power iteration,
/// Hutchinson, the Cauchy ‖H‖₁,₁ estimator, directional sharpness) needs only products H(x)·v, never H itself.
/// </summary>
public interface IHessianOperator
{
    /// <summary>Number of parameters d.</summary>
    int Dimension { get; }

    /// <summary>Writes H(x)·v into <paramref name="hv"/> (length d). Must not modify x or v.</summary>
    void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv);
}
