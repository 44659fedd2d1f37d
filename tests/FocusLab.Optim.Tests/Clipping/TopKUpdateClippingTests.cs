namespace FocusLab.Optim.Tests.Clipping;

public class TopKUpdateClippingTests
{
    private static (Parameter[] Ps, float[][] Start) Model(int seed)
    {
        var rng = new Random(seed);
        var ps = new[] { new Parameter("w", 30, 20), new Parameter("b", 17) };
        foreach (var p in ps)
        {
            var d = p.DataSpan; var g = p.GradSpan;
            for (int i = 0; i < d.Length; i++) { d[i] = (float)(rng.NextDouble() - 0.5); g[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 2))); }
        }
        return (ps, ps.Select(p => p.DataSpan.ToArray()).ToArray());
    }

    [Fact]
    public void Clips_every_update_coordinate_to_the_top_k_threshold_of_the_unclipped_update()
    {
        var (free, start) = Model(1);
        var (clipped, _) = Model(1);
        var a = OptimizerFactory.Create("sgd:lr=0.01", free);   // Δθ = −η g: magnitudes spread over decades
        var b = OptimizerFactory.Create("sgd:lr=0.01,update_clip_fraction=0.25", clipped);
        a.Step(); b.Step();
        var unclipped = free.SelectMany((p, k) => p.DataSpan.ToArray().Select((x, i) => (double)x - start[k][i])).ToArray();
        var sorted = unclipped.Select(Math.Abs).OrderByDescending(x => x).ToArray();
        double tau = sorted[(int)Math.Floor(0.25 * sorted.Length)];
        var done = clipped.SelectMany((p, k) => p.DataSpan.ToArray().Select((x, i) => (double)x - start[k][i])).ToArray();
        int changed = 0;
        for (int i = 0; i < done.Length; i++)
        {
            double expected = Math.Clamp(unclipped[i], -tau, tau);
            Assert.True(Math.Abs(done[i] - expected) <= 1e-7, $"coordinate {i}: {done[i]} vs {expected}");
            if (Math.Abs(done[i] - unclipped[i]) > 1e-7) changed++;
        }
        Assert.InRange(changed, 1, (int)Math.Floor(0.25 * done.Length));
    }

    [Fact]
    public void Fraction_zero_is_the_identity_and_out_of_range_is_refused()
    {
        var (x, _) = Model(2); var (y, _) = Model(2);
        var a = OptimizerFactory.Create("lion:lr=0.01", x);
        var b = OptimizerFactory.Create("lion:lr=0.01,update_clip_fraction=0", y);
        for (int t = 0; t < 3; t++) { a.Step(); b.Step(); }
        for (int k = 0; k < x.Length; k++) Assert.True(x[k].DataSpan.SequenceEqual(y[k].DataSpan));
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("adam:update_clip_fraction=2", Model(3).Ps));
        Assert.Contains("update_clip_fraction", e.Message);
        Assert.Contains("[0, 1]", e.Message);
    }
}
