namespace FocusLab.Lab.Diagnostics;

/// <summary>The dominant (largest |λ|) eigenpair found by power iteration, with its Rayleigh quotient and true residual.</summary>
internal sealed record PowerIterationResult(double Eigenvalue, double[] Vector, double Residual, bool Converged, int Iterations);

/// <summary>
/// Power iteration v ← Hv/‖Hv‖ from a seeded Gaussian start; λ = vᵀHv (Rayleigh quotient), stopping when
/// ‖Hv − λv‖ ≤ tolerance·|λ|. Converges at rate |λ₂/λ₁| per step — Lanczos is faster; this is the simple
/// cross-check the literature often reports.
/// </summary>
internal static class PowerIteration
{
    public static PowerIterationResult Run(IHessianOperator hessian, ReadOnlySpan<double> x, int maxIterations = 1000, double tolerance = 1e-6, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        Check.AtLeast(maxIterations, 1, nameof(maxIterations));
        Check.Positive(tolerance, nameof(tolerance));
        int d = hessian.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        var v = new double[d];
        new SeededRandom(seed).FillGaussian(v);
        Vec.Scale(v, 1 / Vec.Norm(v));
        var hv = new double[d];
        double lambda = 0, residual = double.PositiveInfinity;
        int it;
        for (it = 1; ; it++)
        {
            hessian.HessianVectorProduct(x, v, hv);
            lambda = Vec.Dot(v, hv);
            double hn = Vec.Norm(hv);
            if (hn == 0) return new(0, v, 0, true, it);
            // ‖Hv − λv‖ directly from the two vectors (no extra product, no cancellation of ‖Hv‖² − λ²).
            double r2 = 0;
            for (int i = 0; i < d; i++) { double e = hv[i] - lambda * v[i]; r2 += e * e; }
            residual = Math.Sqrt(r2);
            if (residual <= tolerance * Math.Abs(lambda)) return new(lambda, v, residual, true, it);
            if (it == maxIterations) return new(lambda, v, residual, false, it);
            for (int i = 0; i < d; i++) v[i] = hv[i] / hn;
        }
    }
}
