namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// Estimates of ‖H‖₁,₁ = Σ_ij |H_ij| (and the same divided by d) from Cauchy probes. <see cref="RelativeErrorPerRow"/>
/// is the asymptotic relative standard error of each row's scale estimate, π/(2√n) for both variants;
/// the relative error of the sum is at most that (rows share probes, so their errors are correlated) and
/// usually much smaller. When only a sample of rows was used, the sum is scaled by d / rows.
/// </summary>
public sealed record L11Estimate(
    double Iqr,
    double Median,
    int Dimension,
    int Samples,
    int RowsUsed,
    double RelativeErrorPerRow)
{
    /// <summary>‖H‖₁,₁/d by the half inter-quartile range estimator.</summary>
    public double IqrPerDimension => Iqr / Dimension;
    /// <summary>‖H‖₁,₁/d by the median-of-|(Hz)_i| estimator.</summary>
    public double MedianPerDimension => Median / Dimension;
}

/// <summary>
/// The ‖H‖₁,₁ estimator of Xie et al. (docs/equations.md#cauchy-estimator): for z with i.i.d. standard
/// Cauchy entries (1-stable),
/// (Hz)_i = Σ_j H_ij z_j is Cauchy with scale Σ_j |H_ij|. Each row's scale is estimated from n probes as
/// half the inter-quartile range of (Hz)_i (the quartiles of a Cauchy(0, γ) are ±γ) or as the median of
/// |(Hz)_i| (also γ); the row scales are summed. Costs n HVPs and n·rows doubles of memory.
/// </summary>
internal static class CauchyL11Estimator
{
    /// <param name="rowSample">Use only this many uniformly chosen rows (seeded) to bound memory on large models; null = all rows.</param>
    public static L11Estimate Estimate(IHessianOperator hessian, ReadOnlySpan<double> x, int samples = 400, int seed = 0, int? rowSample = null)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        Check.AtLeast(samples, 8, nameof(samples));
        int d = hessian.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        var rng = new SeededRandom(seed);
        int[] rows;
        if (rowSample is { } r && r < d)
        {
            Check.AtLeast(r, 1, nameof(rowSample));
            rows = rng.Permutation(d)[..r];
            Array.Sort(rows);
        }
        else rows = Enumerable.Range(0, d).ToArray();

        var (iqrRows, medianRows) = RowScales(hessian, x, samples, rng, rows);
        double scale = (double)d / rows.Length;
        return new(iqrRows.Sum() * scale, medianRows.Sum() * scale, d, samples, rows.Length, Math.PI / (2 * Math.Sqrt(samples)));
    }

    /// <summary>Each listed row's Cauchy scale Σ_j |H_ij| by both estimators (probes drawn from <paramref name="rng"/>).</summary>
    internal static (double[] Iqr, double[] Median) RowScales(IHessianOperator hessian, ReadOnlySpan<double> x, int samples, SeededRandom rng, int[] rows)
    {
        int d = hessian.Dimension;
        var values = new double[rows.Length * samples]; // [row][sample]
        var z = new double[d];
        var hz = new double[d];
        for (int k = 0; k < samples; k++)
        {
            rng.FillCauchy(z);
            hessian.HessianVectorProduct(x, z, hz);
            for (int i = 0; i < rows.Length; i++) values[i * samples + k] = hz[rows[i]];
        }
        var iqr = new double[rows.Length];
        var median = new double[rows.Length];
        var abs = new double[samples];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = values.AsSpan(i * samples, samples);
            row.Sort();
            iqr[i] = 0.5 * (Quantile(row, 0.75) - Quantile(row, 0.25));
            for (int k = 0; k < samples; k++) abs[k] = Math.Abs(row[k]);
            Array.Sort(abs);
            median[i] = Quantile(abs, 0.5);
        }
        return (iqr, median);
    }

    /// <summary>Quantile of sorted data with linear interpolation between order statistics (Hyndman–Fan type 7).</summary>
    internal static double Quantile(ReadOnlySpan<double> sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
