using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class LineSearchAndSliceTests
{
    /// <summary>Along û = (−0.6, −0.8) from x = (1, 1) on L = x₁² + 4x₂²: L(t) = 5 − 7.6t + 2.92t², minimum at t* = 7.6/5.84, reduction 7.6²/11.68.</summary>
    private static readonly double ExactStep = 7.6 / 5.84, ExactReduction = 7.6 * 7.6 / 11.68;

    [Theory]
    [InlineData(1e-6)]
    [InlineData(0.05)]
    [InlineData(1000.0)]
    public void Bracketing_finds_the_closed_form_minimum_from_any_initial_step(double initialStep)
    {
        var q = QuadraticObjective.Diagonal([2, 8]);
        double[] x = [1, 1], u = [-3, -4];
        var r = LineSearch.Run(q, x, u, new LineSearchOptions { InitialStep = initialStep, MaxShrinks = 40 });
        Assert.True(r.FoundDescent);
        Assert.False(r.Capped);
        Assert.InRange(ExactStep, r.BracketLow, r.BracketHigh);
        Assert.Equal(ExactStep, r.BestStep, 1e-3 * ExactStep);
        Assert.Equal(ExactReduction, r.BestReduction, 1e-6 * ExactReduction);
        // Every evaluated point is the exact loss there, in ascending t from t = 0.
        Assert.Equal(0, r.StepSizes[0]);
        Assert.Equal(5, r.StartLoss, 12);
        for (int k = 0; k < r.StepSizes.Length; k++)
        {
            double t = r.StepSizes[k];
            Assert.Equal(5 - 7.6 * t + 2.92 * t * t, r.Losses[k], 9);
            if (k > 0) Assert.True(t > r.StepSizes[k - 1]);
        }
        // The bracket's far end is where the loss first rose above the start (L(t) > 5 for t > 2.60), or its first point beyond.
        Assert.True(r.Losses.Max() >= r.StartLoss);
    }

    [Fact]
    public void A_minimum_beyond_the_cap_is_flagged_capped_and_reported_at_the_cap()
    {
        var q = QuadraticObjective.Diagonal([2, 8]);
        var r = LineSearch.Run(q, [1, 1], [-3, -4], new LineSearchOptions { InitialStep = 1e-3, MaxGrowths = 5 });
        double cap = 1e-3 * 32;
        Assert.True(r.Capped && r.FoundDescent);
        Assert.Equal(cap, r.BestStep, 15);
        Assert.Equal(cap, r.BracketHigh, 15);
        Assert.Equal(cap / 2, r.BracketLow, 15);
        Assert.Equal(7.6 * cap - 2.92 * cap * cap, r.BestReduction, 12);
        Assert.True(r.BestReduction < 0.1 * ExactReduction); // what an uncapped read would have mistaken for the minimum
    }

    [Fact]
    public void Uphill_direction_reports_no_descent_after_max_shrinks()
    {
        var q = QuadraticObjective.Diagonal([2]);
        var r = LineSearch.Run(q, [1.0], [1.0], new LineSearchOptions { InitialStep = 1, MaxShrinks = 5 });
        Assert.False(r.FoundDescent);
        Assert.False(r.Capped);
        Assert.Equal(0, r.BestReduction);
        Assert.Equal(0, r.BestStep);
        Assert.Equal(7, r.StepSizes.Length); // t = 0 and t = 1, 1/2, …, 1/32
        Assert.Equal(1.0 / 32, r.StepSizes[1], 15);
    }

    [Fact]
    public void Quadratic_model_step_is_the_closed_form_minimiser_or_the_fallback()
    {
        Assert.Equal(2.5, LineSearch.QuadraticModelStep(-5, 2, 0.1), 15);
        Assert.Equal(0.1, LineSearch.QuadraticModelStep(5, 2, 0.1));   // uphill
        Assert.Equal(0.1, LineSearch.QuadraticModelStep(-5, -2, 0.1)); // concave
        Assert.Equal(0.1, LineSearch.QuadraticModelStep(-5, 0, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LineSearch.Run(QuadraticObjective.Diagonal([1]), [1.0], [-1.0], new LineSearchOptions { GrowthFactor = 1 }));
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
