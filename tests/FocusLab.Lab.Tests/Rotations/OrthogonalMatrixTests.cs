using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Rotations;

public class OrthogonalMatrixTests
{
    internal static void AssertOrthogonal(double[] q, int n, double tol)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[k * n + i] * q[k * n + j];
                Assert.Equal(i == j ? 1 : 0, s, tol);
            }
    }

    [Fact]
    public void Qr_q_is_orthogonal_and_sign_fixed_so_r_has_a_positive_diagonal()
    {
        int n = 30;
        var a = new double[n * n];
        new SeededRandom(8).FillGaussian(a);
        var q = OrthogonalMatrices.QrQ(a, n);
        AssertOrthogonal(q, n, 1e-13);
        // R = QᵀA must be upper triangular with a positive diagonal.
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double r = 0;
                for (int k = 0; k < n; k++) r += q[k * n + i] * a[k * n + j];
                if (i > j) Assert.Equal(0, r, 1e-11);
                if (i == j) Assert.True(r > 0);
            }
        Assert.Equal(OrthogonalMatrices.RandomHaar(n, 8), q); // RandomHaar is QR of the same seeded Gaussian
    }

    [Fact]
    public void Rank_deficient_input_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => OrthogonalMatrices.QrQ([1, 2, 2, 4], 2));
        Assert.Contains("rank-deficient", e.Message);
    }

    [Fact]
    public void Exp_of_a_scaled_skew_matrix_is_orthogonal_and_identity_at_zero()
    {
        int n = 40;
        var k = OrthogonalMatrices.RandomSkew(n, 4);
        foreach (double s in new[] { 0.01, 0.3, 1.0, 5.0 })
            AssertOrthogonal(OrthogonalMatrices.ExpSkew(k, n, s), n, 1e-11);
        var id = OrthogonalMatrices.ExpSkew(k, n, 0);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) Assert.Equal(i == j ? 1 : 0, id[i * n + j]);
        // Small s: R = I + sK + O(s²‖K‖²) (‖K²‖ entries are ~n/2 = 20 here).
        var r = OrthogonalMatrices.ExpSkew(k, n, 1e-5);
        for (int i = 0; i < n * n; i++) Assert.Equal((i % (n + 1) == 0 ? 1 : 0) + 1e-5 * k[i], r[i], 1e-8);
    }

    [Fact]
    public void Dense_rotation_refuses_non_orthogonal_matrices()
    {
        Assert.Contains("not orthogonal", Assert.Throws<ArgumentException>(() => new DenseRotation([1, 1, 0, 1], 2)).Message);
    }
}
