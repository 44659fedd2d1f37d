using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Lab.Diagnostics;

/// <summary>Options of <see cref="GaussNewtonSmoothness"/>: the two criteria for the coordinates to remove.</summary>
internal sealed record GaussNewtonOptions
{
    /// <summary>Row-norm criterion (Pan &amp; Li, appendix D text): coordinates whose row norm ‖G e_i‖ is at least this multiple of the mean row norm are removed.</summary>
    public double RowNormThreshold { get; init; } = 4;

    /// <summary>Factor-norm criterion (the authors' code): coordinates whose column norm ‖a_i‖ of the factor A (G = AᵀA/B) is at least
    /// this multiple of the mean over the candidates are removed.</summary>
    public double FactorNormThreshold { get; init; } = 2;

    /// <summary>Coordinates the factor-norm criterion may remove (and averages over); null: all. The authors restrict it to the attention weights.</summary>
    public bool[]? FactorNormCandidates { get; init; }

    /// <summary>What the candidates are, for reports (e.g. "attention weights").</summary>
    public string FactorNormCandidatesName { get; init; } = "all parameters";

    /// <summary>Columns of A per matrix product (bounds the scratch memory to B·K × this many floats).</summary>
    public int ColumnBlock { get; init; } = 8192;
}

/// <summary>
/// One removal criterion of <see cref="GaussNewtonSmoothness"/>: the per-coordinate norms it compares (their mean and
/// maximum over the candidates), the threshold (factor × mean), how many coordinates it removed (and their fraction
/// of all d), and ‖G_keep‖, the largest eigenvalue of G's principal submatrix on the kept coordinates, with
/// <see cref="Ratio"/> = ‖G‖/‖G_keep‖ (≥ 1 by eigenvalue interlacing).
/// </summary>
public sealed record GaussNewtonCut(
    string Criterion,
    string Candidates,
    int CandidateCount,
    double ThresholdFactor,
    double MeanNorm,
    double MaxNorm,
    double Threshold,
    int Removed,
    double FractionRemoved,
    double ReducedSpectralNorm,
    double Ratio,
    bool Converged);

/// <summary>
/// The robust-smoothness measurement of Pan &amp; Li 2023 (appendix D) on one batch: ‖G‖ and both removal criteria side
/// by side — <see cref="RowNorm"/>, the paper's text (row norms ‖G e_i‖ ≥ 4× their mean over all d), and
/// <see cref="FactorNorm"/>, the authors' code (‖a_i‖ ≥ 2× their mean, over a candidate subset such as the attention
/// weights). <see cref="Converged"/>: the Lanczos run for ‖G‖ met its tolerance (each cut has its own flag);
/// <see cref="Seconds"/> is the wall time of the measurement.
/// </summary>
public sealed record GaussNewtonResult(
    int Samples,
    int Classes,
    int Dimension,
    double SpectralNorm,
    bool Converged,
    GaussNewtonCut RowNorm,
    GaussNewtonCut FactorNorm,
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
/// <item>Column norms of A: ‖a_i‖² = Σ_r A_ri² = B·G_ii, the per-parameter norm of the factor over samples (the authors' criterion).</item>
/// <item>Removing coordinates = the principal submatrix on the kept ones, = A_keepᵀA_keep/B, whose nonzero
/// spectrum is that of A_keep A_keepᵀ: the Gram of A with the removed columns zeroed (recomputed, not
/// obtained by subtraction, so a dominant removed part cannot cancel away the accuracy of the rest).</item>
/// </list>
/// A is stored in float32 (B·K·d values: B = 32, K = 10, d = 170K is 218 MB); the Gram products run through
/// the engine's GEMM in column blocks and are summed in double. λmax is found by Lanczos with full
/// re-orthogonalisation on the small Gram matrix. Deterministic for any thread count (the GEMM is).
/// </summary>
internal static class GaussNewtonSmoothness
{
    /// <summary>Measures ‖G‖ and both cuts on the model's batch (see the type's remarks for the method).</summary>
    public static GaussNewtonResult Measure(IClassifierJacobian model, GaussNewtonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new GaussNewtonOptions();
        Check.Positive(options.RowNormThreshold, nameof(options.RowNormThreshold));
        Check.Positive(options.FactorNormThreshold, nameof(options.FactorNormThreshold));
        Check.AtLeast(options.ColumnBlock, 1, nameof(options.ColumnBlock));
        int b = model.Samples, k = model.Classes, d = model.Dimension;
        Check.AtLeast(b, 1, nameof(model.Samples));
        Check.AtLeast(k, 2, nameof(model.Classes));
        Check.AtLeast(d, 1, nameof(model.Dimension));
        var candidates = options.FactorNormCandidates;
        if (candidates is not null && candidates.Length != d)
            throw new ArgumentException($"The factor-norm candidate mask has {candidates.Length} entries but the model has {d} parameters; build it from the model's layout.", nameof(options));
        if (candidates is not null && !candidates.Contains(true))
            throw new ArgumentException($"The factor-norm candidates ({options.FactorNormCandidatesName}) select no parameter; check the tensor-name filter.", nameof(options));
        int n = checked(b * k);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if ((long)n * d > Array.MaxLength)
            throw new ArgumentException($"The Gauss–Newton factor A needs B·K·d = {b}·{k}·{d} = {(long)n * d} floats, more than one array holds; use a smaller batch.");

        var a = Factor(model, b, k, d);
        var m = Gram(a, n, d, options.ColumnBlock);
        var (norm, converged) = LargestEigenvalue(m, n, b);

        var rowNorms = RowNorms(a, m, n, d, b, options.ColumnBlock);
        var all = new bool[d];
        Array.Fill(all, true);
        var rowCut = Cut("row norm ‖G e_i‖", "all parameters", rowNorms, all, options.RowNormThreshold, a, m, norm, n, d, b, options.ColumnBlock);
        var factorCut = Cut("factor column norm ‖a_i‖", options.FactorNormCandidatesName, ColumnNorms(a, n, d), candidates ?? all, options.FactorNormThreshold, a, m, norm, n, d, b, options.ColumnBlock);
        return new GaussNewtonResult(b, k, d, norm, converged, rowCut, factorCut, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Removes the candidates whose norm is ≥ factor × the candidates' mean norm and measures ‖G_keep‖ on the rest.</summary>
    private static GaussNewtonCut Cut(string criterion, string candidatesName, double[] norms, bool[] candidates, double factor, float[] a, double[] m, double norm, int n, int d, int b, int block)
    {
        int count = 0;
        double sum = 0, max = 0;
        for (int i = 0; i < d; i++)
            if (candidates[i]) { count++; sum += norms[i]; max = Math.Max(max, norms[i]); }
        double mean = sum / count, threshold = factor * mean;
        var removed = new bool[d];
        int removedCount = 0;
        if (mean > 0)
            for (int i = 0; i < d; i++)
                if (candidates[i] && norms[i] >= threshold) { removed[i] = true; removedCount++; }
        double reduced = norm;
        bool converged = true;
        if (removedCount > 0) (reduced, converged) = LargestEigenvalue(Gram(a, n, d, block, removed), n, b);
        return new GaussNewtonCut(criterion, candidatesName, count, factor, mean, max, threshold, removedCount, (double)removedCount / d,
            reduced, reduced > 0 ? norm / reduced : double.PositiveInfinity, converged);
    }

    /// <summary>‖a_i‖ = √(Σ_r A_ri²), the norm over all (sample, class) rows of column i of A (= √(B·G_ii)).</summary>
    private static double[] ColumnNorms(float[] a, int n, int d)
    {
        var squares = new double[d];
        for (int r = 0; r < n; r++)
        {
            var row = a.AsSpan((int)((long)r * d), d);
            for (int i = 0; i < d; i++) squares[i] += (double)row[i] * row[i];
        }
        for (int i = 0; i < d; i++) squares[i] = Math.Sqrt(squares[i]);
        return squares;
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

    /// <summary>
    /// M = AAᵀ (n×n, double), summed over column blocks each multiplied in float32, then symmetrised. With
    /// <paramref name="removed"/>, the removed columns count as zero: the Gram of A_keep, recomputed rather than
    /// obtained by subtraction, so a dominant removed part cannot cancel away the accuracy of the rest.
    /// </summary>
    internal static double[] Gram(float[] a, int n, int d, int block, bool[]? removed = null)
    {
        var m = new double[n * n];
        var chunk = new float[n * n];
        float[]? masked = removed is null ? null : new float[(long)n * Math.Min(block, d)];
        for (int c0 = 0; c0 < d; c0 += block)
        {
            int w = Math.Min(block, d - c0);
            ReadOnlySpan<float> source = a.AsSpan(c0);
            int stride = d;
            if (masked is not null && Array.IndexOf(removed!, true, c0, w) >= 0)
            {
                for (int r = 0; r < n; r++)
                {
                    var dst = masked.AsSpan(r * w, w);
                    a.AsSpan((int)((long)r * d + c0), w).CopyTo(dst);
                    for (int j = 0; j < w; j++) if (removed![c0 + j]) dst[j] = 0;
                }
                source = masked;
                stride = w;
            }
            Gemm.Multiply(false, true, n, n, w, 1f, source, stride, source, stride, 0f, chunk, n);
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
