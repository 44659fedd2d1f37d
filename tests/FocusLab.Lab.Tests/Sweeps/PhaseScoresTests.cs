using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>Scoring rules on hand-made result arrays.</summary>
public class PhaseScoresTests
{
    private static readonly SweepGrid Grid = new()
    {
        XValues = [1, 10], SigmaValues = [0, 1, 2],
        Optimizers = [ToyOptimizer.Adam, ToyOptimizer.Signum], LearningRates = [0.01, 0.1],
        Replicates = 2, Steps = 1,
    };

    /// <summary>Builds a result where final loss of (o, l, y, x, r) is given by <paramref name="f"/>.</summary>
    private static SweepResult Make(Func<int, int, int, int, int, float> f)
    {
        var g = Grid; long n = g.Runs;
        var fin = new float[n]; var min = new float[n]; var u = new float[n];
        var r0 = new SweepResult(g, 0, 1, 0, g.PointReplicates, fin, min, u);
        for (int o = 0; o < 2; o++) for (int l = 0; l < 2; l++) for (int y = 0; y < 3; y++) for (int x = 0; x < 2; x++) for (int r = 0; r < 2; r++)
        {
            long i = r0.Index(o, l, y, x, r);
            fin[i] = f(o, l, y, x, r); min[i] = fin[i] - 1; u[i] = 10 * o + l + r;
        }
        return r0;
    }

    [Fact]
    public void ScoreIsMeanOverReplicatesMinOverLrAndWinnerIsLowest()
    {
        // adam: lr0 → 1 + r (mean 1.5), lr1 → 3 ; signum: lr0 → 2, lr1 → {0, 4} (mean 2) except at y=2: lr1 → −1
        var s = new PhaseScores(Make((o, l, y, x, r) => o == 0 ? (l == 0 ? 1 + r : 3) : (l == 0 ? 2 : y == 2 ? -1 : 4 * r)));
        for (int x = 0; x < 2; x++)
        {
            Assert.Equal(1.5, s.BestAt(0, 0, x));
            Assert.Equal(2.0, s.BestAt(1, 0, x)); // tie between lr0 (2) and lr1 (mean 2): first lr kept
            Assert.Equal(0, s.BestLrIndex[(1 * 3 + 0) * 2 + x]);
            Assert.Equal("adam", s.WinnerId(0, x));
            Assert.Equal("adam", s.WinnerId(1, x));
            Assert.Equal("signum", s.WinnerId(2, x));
            Assert.Equal(1, s.BestLrIndex[(1 * 3 + 2) * 2 + x]);
            Assert.Equal(10 + 1 + 0.5, s.BestMaxU[(1 * 3 + 2) * 2 + x]); // mean of u over replicates at the best lr
        }
        // σc: adam wins at σ=1 (D = 2 − 1.5 = 0.5), signum at σ=2 (D = −1 − 1.5 = −2.5): 1 + 0.5/3.0
        Assert.Equal(1 + 0.5 / 3.0, s.SigmaC[0]!.Value, 12);
    }

    [Fact]
    public void OneDivergedReplicateMakesThatLearningRateInfinite()
    {
        var s = new PhaseScores(Make((o, l, y, x, r) => o == 0 && l == 0 && r == 1 ? float.PositiveInfinity : o == 0 ? (l == 0 ? -100 : 1) : 2));
        Assert.Equal(1.0, s.BestAt(0, 0, 0)); // lr0 would be far better without the diverged replicate
        Assert.Equal(1, s.BestLrIndex[0]);
        Assert.Equal(3 * 2, s.DivergedRuns); // one replicate per (y, x) of adam's lr0
    }

    [Fact]
    public void AllDivergedPixelsHaveNoWinnerAndTiesGoToTheFirstOptimizer()
    {
        var s = new PhaseScores(Make((o, l, y, x, r) => y == 0 ? float.PositiveInfinity : 5));
        Assert.Null(s.WinnerId(0, 0));
        Assert.Equal(-1, s.BestLrIndex[0]);
        Assert.Equal("adam", s.WinnerId(1, 0));
        Assert.Null(s.SigmaC[0]); // signum never strictly better: no crossing
    }

    [Fact]
    public void CriticalNoiseIsSigmaZeroWhenChallengerAlwaysWins()
    {
        var s = new PhaseScores(Make((o, l, y, x, r) => o == 1 ? 0 : 1));
        Assert.All(s.SigmaC, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void IncompleteShardsCannotBeScored()
    {
        var g = Grid;
        var (start, count) = SweepEngine.ShardRange(g, 0, 2);
        long n = g.NOpt * g.NLr * count;
        var shard = new SweepResult(g, 0, 2, start, count, new float[n], new float[n], new float[n]);
        Assert.Contains("merge", Assert.Throws<ArgumentException>(() => new PhaseScores(shard)).Message);
    }
}
