namespace FocusLab.Optim.Tests.Clipping;

/// <summary>Global-norm clipping returns the pre-clip norm (checked in double) and leaves the gradient with norm maxNorm.</summary>
public sealed class GlobalNormClippingTests
{
    private static Parameter[] Model(int seed, double scale)
    {
        var rng = new TestRandom(seed);
        var ps = new[] { new Parameter("w", [7, 9]), new Parameter("b", [13]), new Parameter("big", [70_000]) };
        foreach (var p in ps) rng.NormalArray(p.Length, scale).CopyTo(p.GradSpan);
        return ps;
    }

    private static double ReferenceNorm(Parameter[] ps) =>
        Math.Sqrt(ps.Sum(p => p.GradSpan.ToArray().Sum(x => (double)x * x)));

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 1e-3)]
    [InlineData(3, 50.0)]
    public void Clip_returns_the_pre_clip_norm_and_scales_to_max_norm(int seed, double maxNorm)
    {
        var ps = Model(seed, 1);
        double expected = ReferenceNorm(ps);
        double norm = GlobalNormClipping.Clip(ps, maxNorm);
        Assert.Equal(expected, norm, expected * 1e-12);
        double after = ReferenceNorm(ps);
        Assert.True(Math.Abs(after - maxNorm) <= 1e-5 * maxNorm, $"clipped norm {after:R}, max_norm {maxNorm}");
    }

    [Fact]
    public void A_gradient_below_max_norm_is_left_bit_identical()
    {
        var ps = Model(4, 1e-3);
        var before = ps.Select(p => p.GradSpan.ToArray()).ToArray();
        double norm = GlobalNormClipping.Clip(ps, 1e3);
        Assert.Equal(ReferenceNorm(ps), norm, norm * 1e-12);
        TestModel.AssertBitIdentical(before, ps.Select(p => p.GradSpan.ToArray()).ToArray(), "unclipped gradient");
    }

    [Fact]
    public void A_non_finite_norm_is_refused_when_asked()
    {
        var ps = Model(5, 1);
        ps[1].GradSpan[3] = float.NaN;
        var e = Assert.Throws<ArithmeticException>(() => GlobalNormClipping.Clip(ps, 1, errorIfNonFinite: true));
        Assert.Contains("NaN", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GlobalNormClipping.Clip(ps, 0));
    }

    [Fact]
    public void The_transform_records_the_norm_of_each_step()
    {
        var ps = Model(6, 1);
        double expected = ReferenceNorm(ps);
        var transform = new GlobalNormClippingTransform(2.0);
        var opt = OptimizerFactory.Create("sgd:lr=0", ps).With(transform);
        opt.Step();
        Assert.Equal(expected, transform.LastNorm, expected * 1e-12);
        Assert.True(Math.Abs(ReferenceNorm(ps) - 2.0) <= 2e-5);
    }
}
