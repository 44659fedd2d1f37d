using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class AdapterTests
{
    private static readonly MatrixHessian A3 = new([4, 1, -2, 1, 3, 0.5, -2, 0.5, 5], 3);

    [Fact]
    public void Matrix_hessian_product_matches_hand_computation()
    {
        var hv = new double[3];
        A3.HessianVectorProduct(new double[3], [1, -1, 2], hv);
        Assert.Equal([4 - 1 - 4, 1 - 3 + 1, -2 - 0.5 + 10], hv);
        Assert.Equal(4 + 3 + 5, A3.Trace());
        Assert.Equal(4 + 3 + 5 + 2 * (1 + 2 + 0.5), A3.L11Norm());
    }

    [Fact]
    public void Matrix_hessian_refuses_asymmetric_and_misshaped_input()
    {
        var e = Assert.Throws<ArgumentException>(() => new MatrixHessian([1, 2, 3, 4], 2));
        Assert.Contains("not symmetric", e.Message);
        Assert.Throws<ArgumentException>(() => new MatrixHessian([1, 2, 3], 2));
        Assert.Throws<ArgumentException>(() => A3.HessianVectorProduct(new double[3], new double[2], new double[3]));
    }

    [Fact]
    public void Quadratic_loss_and_gradient_match_closed_form()
    {
        var q = new QuadraticObjective(A3, [1, -2, 0.5]);
        double[] x = [0.3, -0.7, 1.1];
        // ½xᵀAx + bᵀx written out.
        double ax0 = 4 * 0.3 + 1 * -0.7 - 2 * 1.1, ax1 = 1 * 0.3 + 3 * -0.7 + 0.5 * 1.1, ax2 = -2 * 0.3 + 0.5 * -0.7 + 5 * 1.1;
        double expected = 0.5 * (0.3 * ax0 - 0.7 * ax1 + 1.1 * ax2) + (0.3 + 1.4 + 0.55);
        Assert.Equal(expected, q.Loss(x), 12);
        var g = new double[3];
        Assert.Equal(expected, q.Gradient(x, g), 12);
        Assert.Equal(ax0 + 1, g[0], 12);
        Assert.Equal(ax1 - 2, g[1], 12);
        Assert.Equal(ax2 + 0.5, g[2], 12);
    }

    [Fact]
    public void Finite_difference_hvp_is_exact_on_quadratics()
    {
        var m = TestProblems.RandomSymmetric(20, 1);
        var q = new QuadraticObjective(m, TestProblems.Gaussian(20, 2));
        var fd = new FiniteDifferenceHessian(q);
        var x = TestProblems.Gaussian(20, 3);
        var v = TestProblems.Gaussian(20, 4);
        double[] exact = new double[20], approx = new double[20];
        m.HessianVectorProduct(x, v, exact);
        fd.HessianVectorProduct(x, v, approx);
        for (int i = 0; i < 20; i++) Assert.Equal(exact[i], approx[i], 1e-7 * (1 + Math.Abs(exact[i])));
    }

    [Fact]
    public void Finite_difference_hvp_error_falls_as_h_squared()
    {
        int n = 8;
        var obj = new QuarticObjective(TestProblems.RandomSymmetric(n, 5), Enumerable.Range(0, n).Select(i => 1.0 + i).ToArray());
        var x = TestProblems.Gaussian(n, 6);
        var v = TestProblems.Gaussian(n, 7);
        var exact = new double[n];
        obj.HessianVectorProduct(x, v, exact);
        double Error(double h)
        {
            var hv = new double[n];
            new FiniteDifferenceHessian(obj, h).HessianVectorProduct(x, v, hv);
            double e = 0;
            for (int i = 0; i < n; i++) e = Math.Max(e, Math.Abs(hv[i] - exact[i]));
            return e;
        }
        double e1 = Error(1e-2), e2 = Error(5e-3);
        Assert.InRange(e1 / e2, 3.6, 4.4); // halving h quarters the O(h²) truncation error
        Assert.True(Error(1e-4) < 1e-5 * (1 + exact.Max(Math.Abs)));
    }
}
