using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// The outcome of <see cref="SpectralSmoothness.Estimate"/>: the largest curvature ΔᵀHΔ found, which start found it,
/// every start's best value, and the curvature after each iteration of the winning start.
/// </summary>
internal sealed record SpectralSmoothnessResult(double Value, int BestStart, double[] PerStart, int Iterations, double[] History);

/// <summary>
/// The spectral smoothness of a loss at a point: the largest curvature over the unit ball of Muon's geometry,
/// <code>
/// S(H) = max ΔᵀHΔ  over Δ with ‖Δ_b‖₂ ≤ 1 (spectral norm) for every weight-matrix block b, and Δ = 0 off the blocks,
/// </code>
/// the analogue for steepest descent under the blockwise spectral norm (Muon) of ‖H‖₁,₁ = max over ‖Δ‖∞ ≤ 1 of ΔᵀHΔ for
/// the ℓ∞ geometry of adam and the sign methods (Xie et al.; docs/equations.md#muon). Non-matrix tensors are left out
/// of Δ: Muon does not step them. S is unchanged by W = U·W'·Vᵀ (the ball is) but not by a rotation of the flat vector.
/// <para>Estimated by projected power iteration: Δ ← polar(HΔ) blockwise, the maximiser of the linear model ⟨HΔ, ·⟩
/// over the ball (the polar factor of M = PΣQᵀ is PQᵀ, whose dual norm pairing is ‖M‖_*). When H is positive
/// semi-definite every iteration raises ΔᵀHΔ (convexity: f(Δ') ≥ f(Δ) + 2⟨HΔ, Δ' − Δ⟩ ≥ f(Δ)), but it may stop at a
/// local maximum: several random starts are run and the best value over starts and iterations is reported.</para>
/// </summary>
internal static class SpectralSmoothness
{
    /// <summary>Runs <paramref name="starts"/> seeded starts of <paramref name="iterations"/> HVPs each at <paramref name="x"/>.</summary>
    public static SpectralSmoothnessResult Estimate(IHessianOperator hessian, ReadOnlySpan<double> x, IReadOnlyList<MatrixBlock> blocks,
        int starts = 3, int iterations = 20, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        Check.AtLeast(starts, 1, nameof(starts));
        Check.AtLeast(iterations, 1, nameof(iterations));
        int d = hessian.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        MatrixBlock.Validate(blocks, d);
        if (blocks.Count == 0) throw new ArgumentException("The spectral smoothness needs at least one weight-matrix block.", nameof(blocks));
        var rng = new SeededRandom(seed);
        var delta = new double[d];
        var hv = new double[d];
        var perStart = new double[starts];
        double best = double.NegativeInfinity;
        int bestStart = 0;
        double[] bestHistory = [];
        for (int s = 0; s < starts; s++)
        {
            var gaussian = new double[d];
            rng.FillGaussian(gaussian);
            ProjectPolar(gaussian, blocks, delta);
            var history = new double[iterations];
            double startBest = double.NegativeInfinity;
            for (int it = 0; it < iterations; it++)
            {
                hessian.HessianVectorProduct(x, delta, hv);
                history[it] = Vec.Dot(delta, hv);
                startBest = Math.Max(startBest, history[it]);
                ProjectPolar(hv, blocks, delta);
            }
            perStart[s] = startBest;
            if (startBest > best) { best = startBest; bestStart = s; bestHistory = history; }
        }
        return new SpectralSmoothnessResult(best, bestStart, perStart, iterations, bestHistory);
    }

    /// <summary>destination ← polar factor of every block of <paramref name="source"/>, zero off the blocks.</summary>
    public static void ProjectPolar(ReadOnlySpan<double> source, IReadOnlyList<MatrixBlock> blocks, Span<double> destination)
    {
        destination.Clear();
        foreach (var b in blocks) Polar(source.Slice(b.Offset, b.Count), b.Rows, b.Cols, destination.Slice(b.Offset, b.Count));
    }

    /// <summary>
    /// The polar factor P·Qᵀ of a row-major <paramref name="rows"/>×<paramref name="cols"/> matrix M = PΣQᵀ, from the
    /// eigen-decomposition of the smaller Gram matrix: M·(MᵀM)^{-1/2} or (MMᵀ)^{-1/2}·M. Directions with a singular value
    /// below 1e-10 of the largest are dropped (a partial isometry, still of spectral norm ≤ 1); a zero matrix maps to zero.
    /// </summary>
    public static void Polar(ReadOnlySpan<double> m, int rows, int cols, Span<double> result)
    {
        Check.AtLeast(rows, 1, nameof(rows));
        Check.AtLeast(cols, 1, nameof(cols));
        Check.Length(rows * cols, m.Length, "Matrix", nameof(m));
        Check.Length(rows * cols, result.Length, "Result", nameof(result));
        bool tall = rows >= cols;
        int n = tall ? cols : rows;
        var gram = new double[n * n];
        // tall: MᵀM (cols×cols); wide: MMᵀ (rows×rows).
        if (tall) Gemm.Multiply<double>(true, false, n, n, rows, m, m, gram);
        else Gemm.Multiply<double>(false, true, n, n, cols, m, m, gram);
        var (values, vectors) = SymmetricEigen.Decompose(gram, n);
        double top = values.Max();
        var inverseRoot = new double[n * n];
        if (top > 0)
            for (int k = 0; k < n; k++)
            {
                if (!(values[k] > 1e-20 * top)) continue; // σ below 1e-10·σ_max
                double w = 1 / Math.Sqrt(values[k]);
                for (int i = 0; i < n; i++)
                {
                    double vi = vectors[i * n + k] * w;
                    if (vi == 0) continue;
                    for (int j = 0; j < n; j++) inverseRoot[i * n + j] += vi * vectors[j * n + k];
                }
            }
        if (tall) Gemm.Multiply<double>(false, false, rows, cols, cols, m, inverseRoot, result);
        else Gemm.Multiply<double>(false, false, rows, cols, rows, inverseRoot, m, result);
    }
}
