using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Diagnostics;

public class SpectralSmoothnessTests
{
    /// <summary>M = P·diag(σ)·Qᵀ (rows×cols, rows ≥ cols or not) from Haar P, Q: its singular values and polar factor are known.</summary>
    private static (double[] M, double[] Polar) WithSingularValues(int rows, int cols, double[] sigma, int seed)
    {
        var p = OrthogonalMatrices.RandomHaar(rows, seed);
        var q = OrthogonalMatrices.RandomHaar(cols, seed + 1);
        var m = new double[rows * cols];
        var polar = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                for (int k = 0; k < sigma.Length; k++)
                {
                    m[i * cols + j] += p[i * rows + k] * sigma[k] * q[j * cols + k];
                    polar[i * cols + j] += p[i * rows + k] * q[j * cols + k];
                }
        return (m, polar);
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 5)]
    [InlineData(4, 4)]
    public void Polar_factor_matches_the_one_built_from_the_svd(int rows, int cols)
    {
        var sigma = Enumerable.Range(0, Math.Min(rows, cols)).Select(k => 3.0 / (k + 1)).ToArray();
        var (m, expected) = WithSingularValues(rows, cols, sigma, seed: rows * 10 + cols);
        var polar = new double[rows * cols];
        SpectralSmoothness.Polar(m, rows, cols, polar);
        for (int i = 0; i < polar.Length; i++) Assert.Equal(expected[i], polar[i], 1e-10);
    }

    [Fact]
    public void Rank_one_hessian_gives_the_squared_sum_of_nuclear_norms()
    {
        // H = g gᵀ: max over the blockwise spectral ball of (⟨g, Δ⟩)² = (Σ_b ‖G_b‖_*)², the nuclear norm being the dual of
        // the spectral norm. Coordinates outside the blocks (g there is large) must not count.
        var (g1, _) = WithSingularValues(4, 3, [2.0, 0.5, 0.25], seed: 1);
        var (g2, _) = WithSingularValues(2, 5, [1.5, 1.0], seed: 7);
        int d = 2 + 12 + 3 + 10;
        var g = new double[d];
        g[0] = 50; g[1] = -40; g[14] = 30; g[15] = 20; g[16] = -10;
        g1.CopyTo(g, 2);
        g2.CopyTo(g, 17);
        var h = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) h[i * d + j] = g[i] * g[j];
        var blocks = new[] { new MatrixBlock(2, 4, 3), new MatrixBlock(17, 2, 5) };
        var result = SpectralSmoothness.Estimate(new MatrixHessian(h, d), new double[d], blocks, starts: 2, iterations: 3, seed: 3);
        double expected = Math.Pow(2.0 + 0.5 + 0.25 + 1.5 + 1.0, 2);
        Assert.Equal(expected, result.Value, 1e-9 * expected);
    }

    [Fact]
    public void Matches_a_brute_force_search_over_the_extreme_points_of_a_2x2_block()
    {
        // A convex quadratic attains its maximum over the spectral ball of 2×2 matrices at an extreme point: an orthogonal
        // matrix, a rotation [c −s; s c] or a reflection [c s; s −c]. Scan θ finely, refine, compare (float64).
        var a = new double[16];
        new SeededRandom(11).FillGaussian(a);
        var h = new double[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 4; k++) h[i * 4 + j] += a[k * 4 + i] * a[k * 4 + j]; // AᵀA: positive semi-definite
        double Q(double[] v) { double s = 0; for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) s += v[i] * h[i * 4 + j] * v[j]; return s; }
        double Best(Func<double, double[]> family)
        {
            double bestTheta = 0, best = double.NegativeInfinity;
            for (int k = 0; k < 200_000; k++)
            {
                double t = 2 * Math.PI * k / 200_000, q = Q(family(t));
                if (q > best) { best = q; bestTheta = t; }
            }
            double lo = bestTheta - 1e-4, hi = bestTheta + 1e-4; // golden-section refinement around the best grid point
            for (int it = 0; it < 100; it++)
            {
                double m1 = hi - (hi - lo) / 1.618033988749895, m2 = lo + (hi - lo) / 1.618033988749895;
                if (Q(family(m1)) > Q(family(m2))) hi = m2; else lo = m1;
            }
            return Math.Max(best, Q(family((lo + hi) / 2)));
        }
        double brute = Math.Max(Best(t => [Math.Cos(t), -Math.Sin(t), Math.Sin(t), Math.Cos(t)]), Best(t => [Math.Cos(t), Math.Sin(t), Math.Sin(t), -Math.Cos(t)]));
        var result = SpectralSmoothness.Estimate(new MatrixHessian(h, 4), new double[4], [new MatrixBlock(0, 2, 2)], starts: 8, iterations: 200, seed: 5);
        Assert.Equal(brute, result.Value, 1e-9 * brute);
        // For a PSD Hessian each iteration raises the curvature (convexity).
        for (int i = 1; i < result.History.Length; i++) Assert.True(result.History[i] >= result.History[i - 1] - 1e-12 * brute);
    }

    [Fact]
    public void Is_unchanged_by_a_matrix_rotation_of_the_hessian()
    {
        // S(RᵀHR) = S(H) for R = V ⊗ U blockwise: the spectral ball is invariant. A rank-one H reaches its optimum in one
        // step from any start, so both values are exact.
        var (g1, _) = WithSingularValues(3, 4, [1.0, 0.7, 0.1], seed: 21);
        var h = new double[144];
        for (int i = 0; i < 12; i++) for (int j = 0; j < 12; j++) h[i * 12 + j] = g1[i] * g1[j];
        var rotation = new MatrixBlockRotation(12, [new MatrixBlock(0, 3, 4)], seed: 2);
        var rotated = new RotatedObjective(new QuadraticObjective(new MatrixHessian(h, 12)), rotation);
        var blocks = new[] { new MatrixBlock(0, 3, 4) };
        double s = SpectralSmoothness.Estimate(new MatrixHessian(h, 12), new double[12], blocks, 2, 3, 1).Value;
        double sr = SpectralSmoothness.Estimate(rotated, new double[12], blocks, 2, 3, 1).Value;
        Assert.Equal(Math.Pow(1.8, 2), s, 1e-9);
        Assert.Equal(s, sr, 1e-5); // float32 products inside the rotation
    }
}
