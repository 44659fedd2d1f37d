using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Rotations;

public class MatrixExponentialTests
{
    [Fact]
    public void Exp_of_zero_is_identity_and_exp_of_a_diagonal_is_elementwise()
    {
        var i3 = MatrixExponential.Compute(new double[9], 3);
        Assert.Equal([1, 0, 0, 0, 1, 0, 0, 0, 1], i3);
        var e = MatrixExponential.Compute([2, 0, 0, 0, -1, 0, 0, 0, 7.5], 3);
        Assert.Equal(Math.Exp(2), e[0], 1e-13 * Math.Exp(2));
        Assert.Equal(Math.Exp(-1), e[4], 1e-15);
        Assert.Equal(Math.Exp(7.5), e[8], 1e-13 * Math.Exp(7.5));
        Assert.Equal(0, e[1]);
    }

    [Fact]
    public void Exp_of_a_plane_rotation_generator_is_cos_sin()
    {
        double a = 2.7; // needs scaling (‖A‖₁ > ½)
        var r = MatrixExponential.Compute([0, -a, a, 0], 2);
        Assert.Equal(Math.Cos(a), r[0], 1e-14);
        Assert.Equal(-Math.Sin(a), r[1], 1e-14);
        Assert.Equal(Math.Sin(a), r[2], 1e-14);
        Assert.Equal(Math.Cos(a), r[3], 1e-14);
    }

    [Fact]
    public void Exp_matches_a_long_taylor_series_and_exp_a_times_exp_minus_a_is_identity()
    {
        int n = 6;
        var rng = new SeededRandom(3);
        var a = new double[n * n];
        rng.FillGaussian(a);
        for (int i = 0; i < a.Length; i++) a[i] *= 0.4;
        // Taylor Σ Aᵏ/k! with 60 terms as an independent reference.
        var sum = new double[n * n];
        var term = new double[n * n];
        for (int i = 0; i < n; i++) sum[i * n + i] = term[i * n + i] = 1;
        for (int k = 1; k < 60; k++)
        {
            term = Mul(term, a, n);
            for (int i = 0; i < term.Length; i++) { term[i] /= k; sum[i] += term[i]; }
        }
        var e = MatrixExponential.Compute(a, n);
        for (int i = 0; i < e.Length; i++) Assert.Equal(sum[i], e[i], 1e-12);

        var big = a.Select(v => v * 5).ToArray(); // ‖A‖₁ ≈ 10: five squarings
        var prod = Mul(MatrixExponential.Compute(big, n), MatrixExponential.Compute(big.Select(v => -v).ToArray(), n), n);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) Assert.Equal(i == j ? 1 : 0, prod[i * n + j], 1e-10);
    }

    internal static double[] Mul(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { double s = 0; for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j]; c[i * n + j] = s; }
        return c;
    }
}
