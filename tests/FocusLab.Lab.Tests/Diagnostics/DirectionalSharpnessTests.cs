using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class DirectionalSharpnessTests
{
    [Fact]
    public void Sharpness_along_an_eigenvector_is_its_eigenvalue()
    {
        // diag(1, 5, 9): e₂ has curvature 5 whatever its scale.
        var q = QuadraticObjective.Diagonal([1, 5, 9]);
        var r = DirectionalSharpness.Measure(q, q, [1, 1, 1], [0, -3, 0]);
        Assert.Equal(5, r.Sharpness, 12);
        Assert.False(r.UsedRobustForm);
        // gradient (1, 5, 9)·(0, −3, 0)/3 = −5
        Assert.Equal(-5, r.GradientCorrelation, 12);
        Assert.Equal(3, r.DirectionNorm, 12);
    }

    [Fact]
    public void Sharpness_and_correlation_match_explicit_formulas()
    {
        var m = TestProblems.RandomSymmetric(12, 11);
        var b = TestProblems.Gaussian(12, 12);
        var q = new QuadraticObjective(m, b);
        var x = TestProblems.Gaussian(12, 13);
        var u = TestProblems.Gaussian(12, 14);
        var r = DirectionalSharpness.Measure(q, q, x, u);
        var dense = m.ToArray();
        double uhu = 0, gu = 0, uu = 0;
        for (int i = 0; i < 12; i++)
        {
            double gi = b[i];
            for (int j = 0; j < 12; j++) { uhu += u[i] * dense[i * 12 + j] * u[j]; gi += dense[i * 12 + j] * x[j]; }
            gu += gi * u[i];
            uu += u[i] * u[i];
        }
        Assert.Equal(uhu / uu, r.PlainSharpness, 10);
        Assert.Equal(gu / Math.Sqrt(uu), r.GradientCorrelation, 10);
        Assert.Equal(r.PlainSharpness < 0, r.UsedRobustForm);
    }

    [Fact]
    public void Negative_curvature_switches_to_the_robust_form_and_flags_it()
    {
        // A = diag(−1, 2), quartic c = (50, 0): at x = 0, uᵀAu < 0 along e₁; at x + δu the x⁴ term adds 3·50·(δu₁)².
        var obj = new QuarticObjective(new MatrixHessian([-1, 0, 0, 2], 2), [50, 0]);
        double[] x = [0, 0], u = [2, 0];
        var r = DirectionalSharpness.Measure(obj, obj, x, u);
        Assert.True(r.UsedRobustForm);
        Assert.Equal(-1, r.PlainSharpness, 12);
        // H(x + 0.01u) along e₁: −1 + 3·50·(0.02)² = −0.94
        Assert.Equal(-1 + 3 * 50 * 0.02 * 0.02, r.Sharpness, 12);
        Assert.Equal(0.01, r.Delta);
    }

    [Fact]
    public void Zero_direction_is_refused()
    {
        var q = QuadraticObjective.Diagonal([1, 2]);
        var e = Assert.Throws<ArgumentException>(() => DirectionalSharpness.Measure(q, q, [0, 0], [0, 0]));
        Assert.Contains("zero", e.Message);
    }
}
