namespace FocusLab.Lab.Diagnostics;

/// <summary>The dominant (largest |λ|) eigenpair found by power iteration, with its Rayleigh quotient and true residual.</summary>
public sealed record PowerIterationResult(double Eigenvalue, double[] Vector, double Residual, bool Converged, int Iterations);

/// <summary>
/// Power iteration v ← Hv/‖Hv‖ from a seeded Gaussian start; λ = vᵀHv (Rayleigh quotient), stopping when
/// ‖Hv − λv‖ ≤ tolerance·|λ|. Converges at rate |λ₂/λ₁| per step — Lanczos is faster; this is the simple
/// cross-check the literature often reports.
/// </summary>
public static class PowerIteration
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
        for (it = 1; it <= maxIterations; it++)
        {
            hessian.HessianVectorProduct(x, v, hv);
            lambda = Vec.Dot(v, hv);
            // residual ‖Hv − λv‖² = ‖Hv‖² − λ² for unit v
            double hn = Vec.Norm(hv);
            residual = Math.Sqrt(Math.Max(0, hn * hn - lambda * lambda));
            if (hn == 0) return new(0, v, 0, true, it);
            if (residual <= tolerance * Math.Abs(lambda)) break;
            for (int i = 0; i < d; i++) v[i] = hv[i] / hn;
        }
        // The final residual is recomputed directly (the ‖Hv‖² − λ² form loses digits near convergence).
        hessian.HessianVectorProduct(x, v, hv);
        lambda = Vec.Dot(v, hv);
        Vec.Axpy(-lambda, v, hv);
        residual = Vec.Norm(hv);
        return new(lambda, v, residual, residual <= tolerance * Math.Abs(lambda) * 1.000001 || residual == 0, Math.Min(it, maxIterations));
    }
}
