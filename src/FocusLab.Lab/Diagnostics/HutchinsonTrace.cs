namespace FocusLab.Lab.Diagnostics;

/// <summary>A Hutchinson estimate of tr(H): mean of zᵀHz, with the standard error sd/√n of that mean.</summary>
public sealed record TraceEstimate(double Trace, double StandardError, int Samples);

/// <summary>
/// Hutchinson's estimator tr(H) ≈ (1/n) Σ zₖᵀHzₖ with Rademacher zₖ (unbiased; per-sample variance
/// 2 Σ_{i≠j} H_ij², the smallest of any i.i.d. probe distribution). Seeded and deterministic.
/// </summary>
internal static class HutchinsonTrace
{
    public static TraceEstimate Estimate(IHessianOperator hessian, ReadOnlySpan<double> x, int samples = 100, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        Check.AtLeast(samples, 2, nameof(samples));
        int d = hessian.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        var rng = new SeededRandom(seed);
        var z = new double[d];
        var hz = new double[d];
        // Welford's running mean and variance.
        double mean = 0, m2 = 0;
        for (int k = 1; k <= samples; k++)
        {
            rng.FillRademacher(z);
            hessian.HessianVectorProduct(x, z, hz);
            double q = Vec.Dot(z, hz);
            double delta = q - mean;
            mean += delta / k;
            m2 += delta * (q - mean);
        }
        double variance = m2 / (samples - 1);
        return new(mean, Math.Sqrt(variance / samples), samples);
    }
}
