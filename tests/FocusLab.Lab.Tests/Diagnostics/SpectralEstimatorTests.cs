using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class SpectralEstimatorTests
{
    private static readonly double[] Spectrum = Enumerable.Range(0, 60).Select(i => -3 + 13.0 * i / 59).ToArray(); // −3 … 10

    [Fact]
    public void Lanczos_finds_both_extreme_eigenvalues_of_a_known_spectrum()
    {
        var h = TestProblems.WithSpectrum(Spectrum, 41);
        var r = Lanczos.Run(h, new double[60], new LanczosOptions { Tolerance = 1e-8, Seed = 1 });
        Assert.True(r.Converged);
        Assert.Equal(10, r.Largest.Value, 1e-8);
        Assert.Equal(-3, r.Smallest.Value, 1e-8);
        Assert.Equal(10, r.SpectralNorm, 1e-8);
        // The reported residual is the true ‖Hv − λv‖ of a unit vector.
        var hv = new double[60];
        h.HessianVectorProduct(new double[60], r.Largest.Vector, hv);
        double res = Math.Sqrt(hv.Select((v, i) => Math.Pow(v - r.Largest.Value * r.Largest.Vector[i], 2)).Sum());
        Assert.Equal(res, r.Largest.Residual, 1e-12);
        Assert.Equal(1, Math.Sqrt(r.Largest.Vector.Sum(v => v * v)), 1e-12);
        Assert.True(r.Largest.Residual <= 1e-8 * 10);
    }

    [Fact]
    public void Lanczos_with_full_reorthogonalisation_is_exact_after_d_steps_and_has_no_ghosts()
    {
        var h = TestProblems.WithSpectrum(Spectrum, 42);
        var r = Lanczos.Run(h, new double[60], new LanczosOptions { Tolerance = 1e-30, MaxIterations = 60 });
        Assert.Equal(60, r.Iterations);
        for (int i = 0; i < 60; i++) Assert.Equal(Spectrum[i], r.RitzValues[i], 1e-9); // every eigenvalue once
    }

    [Fact]
    public void Lanczos_reports_non_convergence_honestly_and_is_deterministic()
    {
        var h = TestProblems.WithSpectrum(Spectrum, 43);
        var opt = new LanczosOptions { MaxIterations = 4, Tolerance = 1e-10, Seed = 7 };
        var a = Lanczos.Run(h, new double[60], opt);
        var b = Lanczos.Run(h, new double[60], opt);
        Assert.False(a.Converged);
        Assert.True(a.Largest.Residual > 1e-10 * a.SpectralNorm);
        Assert.True(a.Largest.Value <= 10 + 1e-12); // Ritz values interlace inside the spectrum
        Assert.Equal(a.Largest.Value, b.Largest.Value);
        Assert.Equal(a.Largest.Residual, b.Largest.Residual);
    }

    [Fact]
    public void Power_iteration_finds_the_dominant_eigenvalue_with_its_sign()
    {
        double[] spec = [1, 2, 3, 4, 5, -12];
        var r = PowerIteration.Run(TestProblems.WithSpectrum(spec, 44), new double[6], tolerance: 1e-9, seed: 3);
        Assert.True(r.Converged);
        Assert.Equal(-12, r.Eigenvalue, 1e-9);
        Assert.True(r.Residual <= 1e-9 * 12);
    }

    [Fact]
    public void Hutchinson_is_exact_on_diagonals_and_within_its_standard_error_otherwise()
    {
        var diag = QuadraticObjective.Diagonal([1, -2, 3.5, 7]);
        var e = HutchinsonTrace.Estimate(diag, new double[4], samples: 10);
        Assert.Equal(9.5, e.Trace, 12);
        Assert.Equal(0, e.StandardError, 12);

        var h = TestProblems.RandomSymmetric(50, 45);
        var est = HutchinsonTrace.Estimate(h, new double[50], samples: 400, seed: 9);
        Assert.InRange(est.Trace, h.Trace() - 4 * est.StandardError, h.Trace() + 4 * est.StandardError);
        // The reported error matches the theoretical sd of zᵀHz for Rademacher z, √(2Σ_{i≠j}H_ij²/n).
        double off = 0;
        for (int i = 0; i < 50; i++) for (int j = 0; j < 50; j++) if (i != j) off += h[i, j] * h[i, j];
        Assert.InRange(est.StandardError / Math.Sqrt(2 * off / 400), 0.8, 1.2);
    }

    [Fact]
    public void Cauchy_estimator_recovers_l11_of_a_random_symmetric_matrix_within_ten_percent()
    {
        var h = TestProblems.RandomSymmetric(50, 46);
        var est = CauchyL11Estimator.Estimate(h, new double[50], samples: 400, seed: 11);
        double exact = h.L11Norm();
        Assert.InRange(est.Iqr / exact, 0.9, 1.1);
        Assert.InRange(est.Median / exact, 0.9, 1.1);
        Assert.Equal(exact / 50 * (est.Iqr / exact), est.IqrPerDimension, 12);
        Assert.Equal(Math.PI / 40, est.RelativeErrorPerRow, 15);
        // Deterministic for a seed.
        Assert.Equal(est.Iqr, CauchyL11Estimator.Estimate(h, new double[50], samples: 400, seed: 11).Iqr);
    }

    [Fact]
    public void Cauchy_row_scales_match_each_row_l1_norm_on_average()
    {
        // A diagonal-plus-one-dense-row matrix: row sums differ by 100×; the estimator must follow each row.
        int n = 20;
        var m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 0.1;
        for (int j = 0; j < n; j++) { m[j] += 1; m[j * n] += j == 0 ? 0 : 1; }
        var h = new MatrixHessian(m, n);
        var est = CauchyL11Estimator.Estimate(h, new double[n], samples: 2000, seed: 5);
        Assert.InRange(est.Iqr / h.L11Norm(), 0.93, 1.07);
        var sampled = CauchyL11Estimator.Estimate(TestProblems.RandomSymmetric(60, 47), new double[60], samples: 400, seed: 2, rowSample: 30);
        Assert.Equal(30, sampled.RowsUsed);
        Assert.InRange(sampled.Iqr / TestProblems.RandomSymmetric(60, 47).L11Norm(), 0.85, 1.15);
    }
}

public class TridiagonalEigenTests
{
    [Fact]
    public void Tridiagonal_ql_matches_jacobi_on_a_random_tridiagonal_matrix()
    {
        int n = 25;
        var rng = new SeededRandom(77);
        var diag = Enumerable.Range(0, n).Select(_ => rng.Gaussian()).ToArray();
        var off = Enumerable.Range(0, n - 1).Select(_ => rng.Gaussian()).ToArray();
        var dense = new double[n * n];
        for (int i = 0; i < n; i++) { dense[i * n + i] = diag[i]; if (i + 1 < n) dense[i * n + i + 1] = dense[(i + 1) * n + i] = off[i]; }
        var (jv, jvec) = SymmetricEigen.Decompose(dense, n);
        var (qv, rows) = SymmetricTridiagonalEigen.Compute(diag, off, Enumerable.Range(0, n).ToArray());
        for (int i = 0; i < n; i++) Assert.Equal(jv[i], qv[i], 1e-12);
        // Eigenvectors agree up to sign: check T s = λ s for each returned column.
        for (int c = 0; c < n; c++)
            for (int i = 0; i < n; i++)
            {
                double ts = diag[i] * rows[i * n + c] + (i > 0 ? off[i - 1] * rows[(i - 1) * n + c] : 0) + (i + 1 < n ? off[i] * rows[(i + 1) * n + c] : 0);
                Assert.Equal(qv[c] * rows[i * n + c], ts, 1e-11);
                Assert.Equal(Math.Abs(jvec[i * n + c]), Math.Abs(rows[i * n + c]), 1e-8);
            }
    }
}

public class CauchyStatedErrorTests
{
    [Fact]
    public void Per_row_relative_error_has_the_stated_standard_deviation()
    {
        // On a diagonal H the rows see independent probes, so the 300 row estimates are 300 independent
        // draws of the estimator: their relative errors must scatter with sd ≈ π/(2√n) (n = 400: 0.0785).
        int d = 300, n = 400;
        var diag = Enumerable.Range(0, d).Select(i => 0.5 + i % 7).ToArray();
        var h = QuadraticObjective.Diagonal(diag);
        var (iqr, median) = CauchyL11Estimator.RowScales(h, new double[d], n, new SeededRandom(13), Enumerable.Range(0, d).ToArray());
        double stated = Math.PI / (2 * Math.Sqrt(n));
        foreach (var est in new[] { iqr, median })
        {
            var rel = est.Select((v, i) => v / diag[i] - 1).ToArray();
            double mean = rel.Average();
            double sd = Math.Sqrt(rel.Sum(r => (r - mean) * (r - mean)) / (d - 1));
            Assert.InRange(sd / stated, 0.85, 1.15);
            Assert.InRange(Math.Abs(mean), 0, 3 * stated / Math.Sqrt(d) + 0.01); // unbiased up to O(1/n)
        }
    }
}

public class SpectralEdgeCaseTests
{
    [Fact]
    public void Lanczos_handles_one_dimension_and_the_zero_matrix()
    {
        var one = Lanczos.Run(new MatrixHessian([5], 1), [0.0]);
        Assert.Equal(5, one.Largest.Value, 14);
        Assert.True(one.Converged);
        var zero = Lanczos.Run(new MatrixHessian(new double[9], 3), new double[3]);
        Assert.Equal(0, zero.SpectralNorm);
        Assert.Equal(1, zero.Iterations); // H v = 0: an invariant subspace at once
        // A rank-one matrix: Lanczos stops at the invariant subspace and still finds λ = ‖a‖².
        double[] a = [1, 2, 2];
        var rank1 = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) rank1[i * 3 + j] = a[i] * a[j];
        var r = Lanczos.Run(new MatrixHessian(rank1, 3), new double[3]);
        Assert.Equal(9, r.Largest.Value, 1e-12);
        Assert.True(r.Largest.Residual < 1e-10);
    }
}
