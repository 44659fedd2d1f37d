using FsCheck.Xunit;

namespace FocusLab.Optim.Tests.Clipping;

/// <summary>
/// Coordinate-wise top-k clipping (Pan &amp; Li 2023; docs/equations.md#clip_fraction): τ is the ⌊k·n⌋-th largest |g| (0-based,
/// the smallest one when k = 1), checked against a full sort; and k = 0 leaves every optimizer bit-identical.
/// </summary>
public sealed class CoordinateClippingTests
{
    /// <summary>Sort-based reference: sort |g| in decreasing order and take index min(⌊k·n⌋, n − 1).</summary>
    private static float ReferenceThreshold(float[] g, double k)
    {
        var abs = g.Select(MathF.Abs).OrderByDescending(x => x).ToArray();
        return abs[(int)Math.Min(abs.Length - 1, Math.Floor(k * abs.Length))];
    }

    [Property(MaxTest = 300)]
    public void Threshold_is_the_floor_kn_th_largest_magnitude(int seed)
    {
        var rng = new TestRandom(seed);
        int n = rng.Pick(1, 2, 3, 7, 16, 17, 100, rng.Int(1, 3000));
        // Ties: magnitudes from a handful of values half of the time; signs mixed.
        bool ties = rng.Chance(0.5);
        var levels = new[] { 0f, 0.5f, 1f, 2f, 1e-3f };
        var g = Enumerable.Range(0, n).Select(_ => ties ? rng.Pick(levels) * rng.Pick(-1f, 1f) : (float)rng.Normal()).ToArray();
        double k = rng.Pick(0.0, 1.0, 0.5, 0.1, 1.0 / n, rng.Uniform(0, 1));
        var scratch = g.Select(MathF.Abs).ToArray();
        float tau = CoordinateClipping.Threshold(scratch, k);
        Assert.Equal(ReferenceThreshold(g, k), tau);
    }

    [Fact]
    public void Threshold_at_k_one_is_the_smallest_magnitude_and_clips_everything_to_it()
    {
        var g = new[] { 3f, -1f, 0.25f, -7f, 0.5f };
        Assert.Equal(0.25f, CoordinateClipping.Threshold(g.Select(MathF.Abs).ToArray(), 1.0));
        Assert.Equal(7f, CoordinateClipping.Threshold(g.Select(MathF.Abs).ToArray(), 0.0));
        Assert.Equal(3f, CoordinateClipping.Threshold(g.Select(MathF.Abs).ToArray(), 0.2)); // ⌊0.2·5⌋ = 1
    }

    /// <summary>Inside an optimizer: τ spans every tensor of the group (not per tensor), and a non-adaptive optimizer steps with the clipped gradient.</summary>
    [Fact]
    public void Sgd_with_clipping_uses_the_group_wide_threshold_and_the_clipped_gradient()
    {
        var rng = new TestRandom(11);
        var w = new Parameter("w", rng.NormalArray(30), [5, 6]);
        var b = new Parameter("b", rng.NormalArray(9));
        rng.NormalArray(30, 5).CopyTo(w.GradSpan);
        rng.NormalArray(9, 0.1).CopyTo(b.GradSpan);
        var all = w.GradSpan.ToArray().Concat(b.GradSpan.ToArray()).ToArray();
        float tau = ReferenceThreshold(all, 0.3);
        var before = w.DataSpan.ToArray().Concat(b.DataSpan.ToArray()).ToArray();
        var opt = OptimizerFactory.Create("sgd:lr=0.5,clip_fraction=0.3", [w, b]);
        opt.Step();
        var clipping = opt.Transforms.OfType<CoordinateClipping>().Single();
        Assert.Equal(tau, clipping.LastThreshold[0]);
        var after = w.DataSpan.ToArray().Concat(b.DataSpan.ToArray()).ToArray();
        for (int i = 0; i < all.Length; i++)
        {
            float clipped = Math.Clamp(all[i], -tau, tau);
            Assert.Equal(before[i] - 0.5f * clipped, after[i]);
        }
    }

    /// <summary>The spec each id is compared with when clip_fraction = 0 (sgd_clip and adam_clip are clipped versions of sgd and adam).</summary>
    private static string Unclipped(string id) => id switch
    {
        "sgd_clip" => "sgd:momentum=0.9,dampening=0.9,momentum_init=zero",
        "adam_clip" => "adam",
        "muon" => "muon:aux=adamw",
        _ => id,
    };

    /// <summary>The same spec with clip_fraction = 0 (muon's aux= must stay the last setting).</summary>
    private static string ClippedAtZero(string id) => id == "muon" ? "muon:clip_fraction=0,aux=adamw" : id + ":clip_fraction=0";

    public static TheoryData<string> Ids() => new(OptimizerFactory.Ids);

    [Theory]
    [MemberData(nameof(Ids))]
    public void Clip_fraction_zero_is_bit_identical_to_the_unclipped_optimizer(string id)
    {
        var a = new TestModel(5, TestModel.SmallLayout);
        var b = a.Copy();
        var plain = OptimizerFactory.Create(Unclipped(id), a.Groups());
        var clipped = OptimizerFactory.Create(ClippedAtZero(id), b.Groups());
        a.Run(plain, 0, 6, t => 1e-2 / t);
        b.Run(clipped, 0, 6, t => 1e-2 / t);
        TestModel.AssertBitIdentical(a.Values(), b.Values(), id);
    }
}
