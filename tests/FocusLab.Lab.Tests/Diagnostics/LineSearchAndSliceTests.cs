using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class LineSearchAndSliceTests
{
    [Fact]
    public void Losses_on_the_grid_are_the_exact_losses_along_the_unit_direction()
    {
        var q = QuadraticObjective.Diagonal([2, 8]);
        double[] x = [1, 1], u = [-3, -4]; // û = (−0.6, −0.8)
        var r = LineSearch.Run(q, x, u, new LineSearchOptions { BaseStep = 0.05 });
        Assert.Equal(21, r.Losses.Length);
        for (int k = 0; k < 21; k++)
        {
            double t = k * r.BaseStep, a = 1 - 0.6 * t, b = 1 - 0.8 * t;
            Assert.Equal(a * a + 4 * b * b, r.Losses[k], 12);
        }
        Assert.Equal(r.StartLoss - r.Losses.Min(), r.BestReduction, 15);
        Assert.True(r.EnoughPointsBelowStart);
    }

    [Fact]
    public void Base_step_shrinks_until_four_points_lie_below_the_start()
    {
        // Along û = −e₁ from x = 1 with curvature 2: L(t) − L(0) = −2t + t², below the start for 0 < t < 2.
        var q = QuadraticObjective.Diagonal([2]);
        var r = LineSearch.Run(q, [1.0], [-1.0], new LineSearchOptions { BaseStep = 3 });
        // Halving from 3: base 3, 1.5, 0.75 leave 0, 1, 2 points in (0, 2); base 0.375 leaves 5 (0.375…1.875).
        Assert.Equal(0.375, r.BaseStep);
        Assert.Equal(3, r.Shrinks);
        // Best grid point t = 1.125: L = (1 − 1.125)² = 0.015625, so the reduction is 1 − 0.015625.
        Assert.Equal(1.125, r.BestStep, 15);
        Assert.Equal(0.984375, r.BestReduction, 15);
    }

    [Fact]
    public void Uphill_direction_reports_not_enough_points_after_max_shrinks()
    {
        var q = QuadraticObjective.Diagonal([2]);
        var r = LineSearch.Run(q, [1.0], [1.0], new LineSearchOptions { MaxShrinks = 5 });
        Assert.False(r.EnoughPointsBelowStart);
        Assert.Equal(0, r.BestReduction);
        Assert.Equal(5, r.Shrinks);
    }

    [Fact]
    public void Slices_evaluate_the_loss_at_each_grid_point()
    {
        var q = QuadraticObjective.Diagonal([1, 3, 5]);
        double[] x = [0.5, -1, 2], d1 = [1, 0, 1], d2 = [0, 2, -1];
        var alphas = LandscapeSlice.Grid(-1, 1, 5);
        var betas = LandscapeSlice.Grid(-0.5, 0.5, 3);
        var s2 = LandscapeSlice.TwoDimensional(q, x, d1, d2, alphas, betas);
        var s1 = LandscapeSlice.OneDimensional(q, x, d1, alphas);
        for (int i = 0; i < alphas.Length; i++)
        {
            double[] p1 = [x[0] + alphas[i] * d1[0], x[1] + alphas[i] * d1[1], x[2] + alphas[i] * d1[2]];
            Assert.Equal(q.Loss(p1), s1.Losses[i], 14);
            for (int j = 0; j < betas.Length; j++)
            {
                double[] p = [p1[0] + betas[j] * d2[0], p1[1] + betas[j] * d2[1], p1[2] + betas[j] * d2[2]];
                Assert.Equal(q.Loss(p), s2[i, j], 12);
            }
        }
    }

    [Fact]
    public void Filter_normalisation_matches_each_filter_norm_of_the_point()
    {
        var layout = new TensorLayout([("w", [3, 4]), ("b", [3])]);
        var theta = TestProblems.Gaussian(15, 21);
        var dir = TestProblems.Gaussian(15, 22);
        var n = SliceDirections.FilterNormalised(dir, theta, layout);
        for (int f = 0; f < 3; f++)
        {
            var seg = n.AsSpan(f * 4, 4).ToArray();
            var th = theta.AsSpan(f * 4, 4).ToArray();
            Assert.Equal(Norm(th), Norm(seg), 12);
            // direction within the filter is preserved (positive multiple)
            double ratio = seg[0] / dir[f * 4];
            for (int k = 0; k < 4; k++) Assert.Equal(ratio * dir[f * 4 + k], seg[k], 12);
        }
        Assert.Equal(Norm(theta[12..]), Norm(n[12..]), 12);
        var z = SliceDirections.FilterNormalised(dir, theta, layout, VectorTensorHandling.Zero);
        Assert.All(z[12..], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Probing_a_model_leaves_its_parameters_bit_identical()
    {
        var model = new FloatQuadraticModel(TestProblems.Gaussian(10, 31).Select(v => (float)v).ToArray());
        var before = model.Parameters.ToArray();
        var obj = new ModelObjective(model);
        var x = obj.CheckpointPoint();
        var xBefore = x.ToArray();
        var u = TestProblems.Gaussian(10, 32);
        LineSearch.Run(obj, x, u);
        LandscapeSlice.TwoDimensional(obj, x, u, TestProblems.Gaussian(10, 33), LandscapeSlice.Grid(-1, 1, 5), LandscapeSlice.Grid(-1, 1, 5));
        DirectionalSharpness.Measure(obj, new FiniteDifferenceHessian(obj), x, u);
        DirectionalSharpness.Measure(obj, obj, x, u);
        Assert.True(model.Writes > 50);
        Assert.Equal(before.Select(BitConverter.SingleToInt32Bits), model.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(xBefore.Select(BitConverter.DoubleToInt64Bits), x.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Model_parameters_are_restored_even_when_the_loss_throws()
    {
        var model = new FloatQuadraticModel([1f, 2f]) { ThrowOnLoss = true };
        var obj = new ModelObjective(model);
        Assert.Throws<InvalidOperationException>(() => obj.Loss([5, 5]));
        Assert.Equal([1f, 2f], model.Parameters);
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(a => a * a));

    /// <summary>A stateful float32 "model" with L = ½Σ(i+1)θᵢ², exact HVP: the shape of the engine's models.</summary>
    private sealed class FloatQuadraticModel(float[] theta) : IModelHessian
    {
        public float[] Parameters { get; } = theta;
        public int Writes { get; private set; }
        public bool ThrowOnLoss { get; init; }
        public TensorLayout Layout { get; } = TensorLayout.Flat(theta.Length);
        public void ReadParameters(Span<float> d) => Parameters.CopyTo(d);
        public void WriteParameters(ReadOnlySpan<float> s) { s.CopyTo(Parameters); Writes++; }
        public double Loss()
        {
            if (ThrowOnLoss) throw new InvalidOperationException("boom");
            double s = 0;
            for (int i = 0; i < Parameters.Length; i++) s += 0.5 * (i + 1) * Parameters[i] * Parameters[i];
            return s;
        }
        public double LossAndGradient(Span<float> g)
        {
            for (int i = 0; i < Parameters.Length; i++) g[i] = (i + 1) * Parameters[i];
            return Loss();
        }
        public void HessianVectorProduct(ReadOnlySpan<float> v, Span<float> hv)
        {
            for (int i = 0; i < v.Length; i++) hv[i] = (i + 1) * v[i];
        }
    }
}
