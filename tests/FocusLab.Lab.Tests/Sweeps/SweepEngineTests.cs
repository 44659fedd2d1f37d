using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

public class SweepEngineTests
{
    private static SweepGrid Small(ToyOptimizer opt, double a, double wd, double sigma, double lr, int reps, int steps,
        ValleyKind kind = ValleyKind.Valley2D, int dim = 2, NoiseKind noise = NoiseKind.Multiplicative, double? angle = Math.PI / 6) => new()
    {
        Landscape = kind, Dimension = dim, Angle = angle, Noise = noise,
        Vary = PhaseAxis.Sharpness, XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd,
        Optimizers = [opt], LearningRates = [lr], Replicates = reps, Steps = steps, Seed = 42,
    };

    public static TheoryData<string, double, double, double, string> AgreementCases => new()
    {
        // optimizer, a, sigma, lr, noise
        { "adam", 10, 0.5, 0.01, "multiplicative" },
        { "adam", 1, 0.0, 0.05, "multiplicative" },
        { "signum", 10, 1.0, 0.003, "multiplicative" },
        { "signum", 100, 0.3, 0.001, "additive" },
        { "focus", 10, 1.0, 0.003, "multiplicative" },
        { "focus", 0.5, 2.0, 0.01, "multiplicative" },
    };

    [Theory, MemberData(nameof(AgreementCases))]
    public void Valley2DRunsAgreeWithScalarDoubleReference(string optId, double a, double sigma, double lr, string noise)
    {
        var opt = ToyOptimizer.Parse(optId);
        var kind = GradientNoise.Parse(noise);
        const int steps = 150, reps = 4;
        var grid = Small(opt, a, 0.1, sigma, lr, reps, steps, noise: kind);
        var result = SweepEngine.Run(grid, new SweepOptions { Threads = 1 });
        var f = new NarrowingValley2D(a, 0.1, Math.PI / 6);
        for (int r = 0; r < reps; r++)
        {
            var want = ScalarReference.Simulate(opt, f, th => f.ToValley(th[0], th[1]).U, lr, 0.1, sigma, kind, 42, (uint)r, steps);
            long i = result.Index(0, 0, 0, 0, r);
            AssertClose(want.FinalLoss, result.FinalLoss[i], $"{optId} final loss rep {r}");
            AssertClose(want.MinLoss, result.MinLoss[i], $"{optId} min loss rep {r}");
            AssertClose(want.MaxU, result.MaxU[i], $"{optId} max u rep {r}");
        }
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("signum")]
    [InlineData("focus")]
    public void ValleyNDRunsAgreeWithScalarDoubleReferenceUsingTheFullFrame(string optId)
    {
        var opt = ToyOptimizer.Parse(optId);
        const int steps = 120, reps = 3, dim = 7;
        var grid = Small(opt, 5, 0.1, 0.7, 0.005, reps, steps, ValleyKind.ValleyND, dim, angle: null);
        var result = SweepEngine.Run(grid, new SweepOptions { Threads = 1 });
        var f = grid.BuildValleyND(5);
        var q = f.Axis;
        for (int r = 0; r < reps; r++)
        {
            var want = ScalarReference.Simulate(opt, f, th => th.Zip(q, (x, y) => x * y).Sum(), 0.005, 0.1, 0.7, NoiseKind.Multiplicative, 42, (uint)r, steps);
            long i = result.Index(0, 0, 0, 0, r);
            AssertClose(want.FinalLoss, result.FinalLoss[i], $"{optId} final loss rep {r}");
            AssertClose(want.MaxU, result.MaxU[i], $"{optId} max u rep {r}");
        }
    }

    private static void AssertClose(double want, float got, string what) =>
        Assert.True(Math.Abs(want - got) <= 2e-3 * Math.Abs(want) + 1e-6, $"{what}: reference {want}, engine {got}");

    private static SweepGrid Mixed(ValleyKind kind = ValleyKind.Valley2D) => PhasePresets.Build("quick", PhaseAxis.Sharpness, kind) with
    {
        XValues = SweepGrid.Logspace(-1, 3, 5),
        SigmaValues = SweepGrid.Linspace(0, 3, 3),
        LearningRates = SweepGrid.Logspace(-3, 0, 3),
        Replicates = 3, // 45 point-replicates: the last lane block is partly padding
        Steps = kind == ValleyKind.Valley2D ? 200 : 40,
        Dimension = kind == ValleyKind.Valley2D ? 2 : 9,
        Seed = 9,
    };

    [Theory]
    [InlineData(ValleyKind.Valley2D, false)]
    [InlineData(ValleyKind.ValleyND, false)]
    [InlineData(ValleyKind.Valley2D, true)]
    [InlineData(ValleyKind.ValleyND, true)]
    public void ResultsDoNotDependOnThreadsOrShards(ValleyKind kind, bool groupStatistics)
    {
        // With group statistics: per-run reductions (normalized SGD's ‖m‖, adasgd's mean g², muon's ‖B̃‖ and Newton–Schulz scalar,
        // adafactor's RMS(U) and relative step from RMS(θ)) and per-run top-k clipping of the gradient
        // or of the first moment (adam_clip, adafactor).
        var grid = groupStatistics
            ? Mixed(kind) with { Optimizers = ToyOptimizer.ParseList("normalized_sgd,adasgd,signum:clip_fraction=0.5,muon,adafactor,adam_clip,adafactor:relative_step=false,clip_fraction=0.5") }
            : Mixed(kind);
        var one = SweepEngine.Run(grid, new SweepOptions { Threads = 1 });
        var two = SweepEngine.Run(grid, new SweepOptions { Threads = 2 });
        var five = SweepEngine.Run(grid, new SweepOptions { Threads = 5 });
        var shards = Enumerable.Range(0, 4).Select(i => SweepEngine.Run(grid, new SweepOptions { Threads = 2, ShardIndex = i, ShardCount = 4 })).ToList();
        var merged = ShardFile.Merge(shards.AsEnumerable().Reverse().ToList());
        foreach (var other in new[] { two, five, merged })
        {
            Assert.Equal(one.FinalLoss, other.FinalLoss);
            Assert.Equal(one.MinLoss, other.MinLoss);
            Assert.Equal(one.MaxU, other.MaxU);
        }
        Assert.Equal(grid.PointReplicates, shards.Sum(s => s.Count));
        Assert.True(one.FinalLoss.All(float.IsFinite));
        Assert.True(one.MinLoss.Zip(one.FinalLoss).All(p => p.First <= p.Second));
    }

    [Fact]
    public void MoreShardsThanLaneBlocksLeavesSomeShardsEmptyButMergeable()
    {
        var grid = Mixed() with { XValues = [1, 10], SigmaValues = [0, 1], Replicates = 3, Steps = 30 }; // 12 point-replicates = 2 lane blocks
        var whole = SweepEngine.Run(grid, new SweepOptions { Threads = 2 });
        var shards = Enumerable.Range(0, 5).Select(i => SweepEngine.Run(grid, new SweepOptions { Threads = 2, ShardIndex = i, ShardCount = 5 })).ToList();
        Assert.Equal(3, shards.Count(s => s.Count == 0));
        Assert.Equal(whole.FinalLoss, ShardFile.Merge(shards).FinalLoss);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentNoise()
    {
        var grid = Mixed();
        var a = SweepEngine.Run(grid, new SweepOptions { Threads = 2 });
        var b = SweepEngine.Run(grid with { Seed = 10 }, new SweepOptions { Threads = 2 });
        Assert.NotEqual(a.FinalLoss, b.FinalLoss);
    }

    [Fact]
    public void DivergedRunsAreCountedAndScoredInfinite()
    {
        // lr 1e30 throws θ to ~1e30, where u²v² overflows float32.
        var grid = Mixed() with { LearningRates = [1e-3, 1e30], Steps = 20 };
        var r = SweepEngine.Run(grid, new SweepOptions { Threads = 2 });
        long perLr = grid.NOpt * grid.PointReplicates;
        Assert.Equal(perLr, r.DivergedRuns);
        for (int o = 0; o < grid.NOpt; o++)
            for (int y = 0; y < grid.NY; y++)
                for (int x = 0; x < grid.NX; x++)
                {
                    Assert.Equal(float.PositiveInfinity, r.FinalLoss[r.Index(o, 1, y, x, 0)]);
                    Assert.True(float.IsFinite(r.FinalLoss[r.Index(o, 0, y, x, 0)]));
                }
        var scores = new PhaseScores(r);
        Assert.Equal(perLr, scores.DivergedRuns);
        Assert.All(scores.BestLrIndex, l => Assert.Equal(0, l)); // the diverged lr never wins
    }

    [Fact]
    public void InvalidGridsAreRefusedWithTheOptionToFix()
    {
        var ok = Mixed();
        Assert.Contains("--replicates", Assert.Throws<ArgumentException>(() => SweepEngine.Run(ok with { Replicates = 0 })).Message);
        Assert.Contains("learning rates", Assert.Throws<ArgumentException>(() => SweepEngine.Run(ok with { LearningRates = [-1] })).Message);
        Assert.Contains("sigma", Assert.Throws<ArgumentException>(() => SweepEngine.Run(ok with { SigmaValues = [double.NaN] })).Message);
        Assert.Contains("shard", Assert.Throws<ArgumentException>(() => SweepEngine.Run(ok, new SweepOptions { ShardIndex = 3, ShardCount = 3 })).Message);
    }
}
