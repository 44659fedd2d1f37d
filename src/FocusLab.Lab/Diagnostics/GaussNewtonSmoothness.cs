using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Lab.Diagnostics;

/// <summary>Options of <see cref="GaussNewtonSmoothness"/>.</summary>
public sealed record GaussNewtonOptions
{
    /// <summary>Coordinates whose row norm ‖G e_i‖ is at least this multiple of the mean row norm are removed (Pan &amp; Li, appendix D: 4).</summary>
    public double ThresholdFactor { get; init; } = 4;
    /// <summary>Columns of A per matrix product (bounds the scratch memory to B·K × this many floats).</summary>
    public int ColumnBlock { get; init; } = 8192;
}

/// <summary>
/// The robust-smoothness measurement of Pan &amp; Li 2023 (appendix D) on one batch. ‖G‖ and ‖G_keep‖ are the
/// largest eigenvalues of G and of its principal submatrix on the kept coordinates; <see cref="Ratio"/> =
/// ‖G‖/‖G_keep‖ (≥ 1, by eigenvalue interlacing). Row norms are ‖G e_i‖₂; the threshold is
/// <c>ThresholdFactor</c> × their mean over all d coordinates. The Lanczos flags say whether both λmax
/// runs met their residual tolerance; <see cref="Seconds"/> is the wall time of the measurement.
/// </summary>
public sealed record GaussNewtonResult(
    int Samples,
    int Classes,
    int Dimension,
    double SpectralNorm,
    double ReducedSpectralNorm,
    double Ratio,
    int Removed,
    double FractionRemoved,
    double MeanRowNorm,
    double MaxRowNorm,
    double ThresholdFactor,
    double Threshold,
    bool Converged,
    double Seconds);

/// <summary>
/// Gauss–Newton matrix of the mean softmax cross-entropy of a classifier on a batch (Pan &amp; Li 2023,
/// appendix D), G = (1/B) Σ_b J_bᵀ H_b J_b with J_b = ∂z_b/∂θ and H_b = diag(p_b) − p_b p_bᵀ the Hessian of
/// the cross-entropy in the logits — exactly, without materialising the d×d matrix:
/// <list type="bullet">
/// <item>H_b = L_b L_bᵀ with L_b = diag(√p_b) − p_b √p_bᵀ (L_bL_bᵀ = diag(p) − 2ppᵀ + (√pᵀ√p)·ppᵀ = diag(p) − ppᵀ, as Σp = 1);
/// column k of L_b is √p_bk (e_k − p_b). So G = AᵀA/B, where row (b, k) of A (B·K rows, d columns) is
/// L_b[:,k]ᵀ J_b: one reverse pass seeded with that column on sample b's logits.</item>
/// <item>The nonzero spectrum of AᵀA is that of the B·K × B·K Gram matrix M = AAᵀ, so ‖G‖ = λmax(M)/B.</item>
/// <item>Row norms: ‖G e_i‖² = ‖Aᵀa_i‖²/B² = a_iᵀ M a_i / B² with a_i column i of A.</item>
/// <item>Removing coordinates = the principal submatrix on the kept ones, = A_keepᵀA_keep/B, whose nonzero
/// spectrum is that of A_keep A_keepᵀ: the Gram of A with the removed columns zeroed (recomputed, not
/// obtained by subtraction, so a dominant removed part cannot cancel away the accuracy of the rest).</item>
/// </list>
/// A is stored in float32 (B·K·d values: B = 32, K = 10, d = 170K is 218 MB); the Gram products run through
/// the engine's GEMM in column blocks and are summed in double. λmax is found by Lanczos with full
/// re-orthogonalisation on the small Gram matrix. Deterministic for any thread count (the GEMM is).
/// </summary>
public static class GaussNewtonSmoothness
{
    public static GaussNewtonResult Measure(IClassifierJacobian model, GaussNewtonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new GaussNewtonOptions();
        Check.Positive(options.ThresholdFactor, nameof(options.ThresholdFactor));
        Check.AtLeast(options.ColumnBlock, 1, nameof(options.ColumnBlock));
        int b = model.Samples, k = model.Classes, d = model.Dimension;
        Check.AtLeast(b, 1, nameof(model.Samples));
        Check.AtLeast(k, 2, nameof(model.Classes));
        Check.AtLeast(d, 1, nameof(model.Dimension));
        int n = checked(b * k);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if ((long)n * d > Array.MaxLength)
            throw new ArgumentException($"The Gauss–Newton factor A needs B·K·d = {b}·{k}·{d} = {(long)n * d} floats, more than one array holds; use a smaller batch.");

        var a = Factor(model, b, k, d);
        var m = Gram(a, n, d, options.ColumnBlock);
        var rowNorms = RowNorms(a, m, n, d, b, options.ColumnBlock);
        double mean = rowNorms.Average(), max = rowNorms.Max();
        double threshold = options.ThresholdFactor * mean;
        var removed = new List<int>();
        if (mean > 0)
            for (int i = 0; i < d; i++) if (rowNorms[i] >= threshold) removed.Add(i);

        var (norm, converged) = LargestEigenvalue(m, n, b);
        double reduced = norm;
        bool reducedConverged = true;
        if (removed.Count > 0)
        {
            foreach (int i in removed)
                for (int r = 0; r < n; r++) a[(long)r * d + i] = 0;
            (reduced, reducedConverged) = LargestEigenvalue(Gram(a, n, d, options.ColumnBlock), n, b);
        }
        return new GaussNewtonResult(b, k, d, norm, reduced, reduced > 0 ? norm / reduced : double.PositiveInfinity,
            removed.Count, (double)removed.Count / d, mean, max, options.ThresholdFactor, threshold, converged && reducedConverged, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The rows L_b[:,k]ᵀ J_b of A, row-major B·K × d (row index b·K + k).</summary>
    private static float[] Factor(IClassifierJacobian model, int b, int k, int d)
    {
        int n = b * k;
        var logits = new double[n];
        model.Logits(logits);
        Check.Finite(logits, "The logits", nameof(model));
        var p = new double[n];
        for (int s = 0; s < b; s++)
        {
            var z = logits.AsSpan(s * k, k);
            double zmax = double.NegativeInfinity, sum = 0;
            foreach (double v in z) zmax = Math.Max(zmax, v);
            for (int j = 0; j < k; j++) sum += p[s * k + j] = Math.Exp(z[j] - zmax);
            for (int j = 0; j < k; j++) p[s * k + j] /= sum;
        }
        var a = new float[(long)n * d];
        var seed = new double[n];
        for (int s = 0; s < b; s++)
            for (int c = 0; c < k; c++)
            {
                // Column c of L_s: √p_sc (e_c − p_s), placed on sample s's logits.
                Array.Clear(seed);
                double root = Math.Sqrt(p[s * k + c]);
                for (int j = 0; j < k; j++) seed[s * k + j] = root * ((j == c ? 1 : 0) - p[s * k + j]);
                model.VectorJacobianProduct(seed, a.AsSpan((int)((long)(s * k + c) * d), d));
            }
        return a;
    }

    /// <summary>M = AAᵀ (n×n, double), summed over column blocks each multiplied in float32, then symmetrised.</summary>
    internal static double[] Gram(float[] a, int n, int d, int block)
    {
        var m = new double[n * n];
        var chunk = new float[n * n];
        for (int c0 = 0; c0 < d; c0 += block)
        {
            int w = Math.Min(block, d - c0);
            Gemm.Multiply(false, true, n, n, w, 1f, a.AsSpan(c0), d, a.AsSpan(c0), d, 0f, chunk, n);
            for (int i = 0; i < chunk.Length; i++) m[i] += chunk[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = 0.5 * (m[i * n + j] + m[j * n + i]);
        return m;
    }

    /// <summary>‖G e_i‖ = √(a_iᵀ M a_i)/B for every coordinate i, from Y = M·A in column blocks.</summary>
    private static double[] RowNorms(float[] a, double[] m, int n, int d, int b, int block)
    {
        var mf = new float[m.Length];
        for (int i = 0; i < m.Length; i++) mf[i] = (float)m[i];
        var squares = new double[d];
        var y = new float[(long)n * Math.Min(block, d)];
        for (int c0 = 0; c0 < d; c0 += block)
        {
            int w = Math.Min(block, d - c0);
            Gemm.Multiply(false, false, n, w, n, 1f, mf, n, a.AsSpan(c0), d, 0f, y, w);
            for (int r = 0; r < n; r++)
            {
                var ar = a.AsSpan((int)((long)r * d + c0), w);
                var yr = y.AsSpan(r * w, w);
                for (int j = 0; j < w; j++) squares[c0 + j] += (double)ar[j] * yr[j];
            }
        }
        var norms = new double[d];
        for (int i = 0; i < d; i++) norms[i] = Math.Sqrt(Math.Max(0, squares[i])) / b;
        return norms;
    }

    /// <summary>λmax(M)/B by Lanczos (M is positive semi-definite, so this is the spectral norm of G).</summary>
    private static (double Value, bool Converged) LargestEigenvalue(double[] m, int n, int b)
    {
        var scaled = new double[m.Length];
        for (int i = 0; i < m.Length; i++) scaled[i] = m[i] / b;
        double maxAbs = scaled.Max(Math.Abs);
        if (maxAbs == 0) return (0, true);
        var result = Lanczos.Run(new MatrixHessian(scaled, n), new double[n], new LanczosOptions { MaxIterations = n, Tolerance = 1e-9 });
        return (Math.Max(0, result.Largest.Value), result.Largest.Converged);
    }
}
