using FocusLab.Lab.Studies;

namespace FocusLab.Lab.Tests.Studies;

public class SweepScoringTests
{
    private static BatchSweepGrid Grid() => new("test", [4, 64], [0.01, 0.1], 2, 5, 0.01,
        [new("adamw", "adamw"), new("signum", "signum")]);

    private static SweepCellResult Cell(string opt, int batch, int lr, int rep, double loss, bool diverged = false) =>
        new(opt, batch, lr, lr == 0 ? 0.01 : 0.1, rep, 1 + rep, SweepScoring.Score(diverged, diverged ? null : loss), diverged ? null : loss, 0.5, diverged, diverged ? 3 : null, 0.1);

    [Fact]
    public void Best_lr_minimises_the_replicate_mean_and_diverged_runs_count_as_100()
    {
        var cells = new List<SweepCellResult>
        {
            // batch 4: adamw lr0 mean 1.0, lr1 one diverged replicate → mean (0.2 + 100)/2 = 50.1 → lr0 wins.
            Cell("adamw", 4, 0, 0, 0.9), Cell("adamw", 4, 0, 1, 1.1),
            Cell("adamw", 4, 1, 0, 0.2), Cell("adamw", 4, 1, 1, double.NaN, diverged: true),
            // signum better at batch 4: lr1 mean 0.5.
            Cell("signum", 4, 0, 0, 0.8), Cell("signum", 4, 0, 1, 0.8),
            Cell("signum", 4, 1, 0, 0.4), Cell("signum", 4, 1, 1, 0.6),
            // batch 64: adamw 0.5, signum 0.75 → I = −0.5.
            Cell("adamw", 64, 0, 0, 0.5), Cell("adamw", 64, 0, 1, 0.5),
            Cell("adamw", 64, 1, 0, 0.7), Cell("adamw", 64, 1, 1, 0.7),
            Cell("signum", 64, 0, 0, 0.7), Cell("signum", 64, 0, 1, 0.8),
            Cell("signum", 64, 1, 0, 0.9), Cell("signum", 64, 1, 1, 0.9),
        };
        var s = SweepScoring.Summarize(Grid(), cells);

        var a4 = s.Results.Single(r => r.Optimizer == "adamw" && r.Batch == 4);
        Assert.Equal(0, a4.BestLrIndex);
        Assert.Equal(1.0, a4.LossMean, 12);
        Assert.Equal(50.1, a4.MeanLossPerLr[1], 12);
        Assert.Equal(1, a4.DivergedRuns);
        Assert.Equal(Math.Sqrt(0.02), a4.LossStd, 12);
        var s4 = s.Results.Single(r => r.Optimizer == "signum" && r.Batch == 4);
        Assert.Equal(1, s4.BestLrIndex);
        Assert.Equal(0.1, s4.BestLr);

        var i4 = s.Improvements.Single(i => i.Batch == 4);
        Assert.Equal((1.0 - 0.5) / 1.0, i4.I, 12);
        // Per replicate: (0.9−0.4)/0.9 and (1.1−0.6)/1.1.
        double r0 = 0.5 / 0.9, r1 = 0.5 / 1.1;
        Assert.Equal((r0 + r1) / 2, i4.ReplicateMean, 12);
        Assert.Equal(Math.Abs(r0 - r1) / Math.Sqrt(2), i4.ReplicateStd, 12);
        Assert.Equal(r1, i4.ReplicateMin, 12);
        Assert.Equal(-0.5, s.Improvements.Single(i => i.Batch == 64).I, 12);

        // I: +0.5 at 4 (log2 = 2), −0.5 at 64 (log2 = 6): zero at log2 b = 4, b = 16.
        Assert.Equal(16, s.Crossover.Batch!.Value, 9);
        Assert.Equal(4, s.Crossover.Below);
        Assert.Equal(64, s.Crossover.Above);
    }

    [Fact]
    public void A_missing_cell_is_reported_not_scored()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SweepScoring.Summarize(Grid(), [Cell("adamw", 4, 0, 0, 1)]));
        Assert.Contains("15 of 16 cells are missing", e.Message);
    }

    [Theory]
    [InlineData(new[] { 0.3, 0.1, -0.1, -0.3 }, 8 * 1.4142135623730951)] // zero halfway between 8 and 16 in log2
    [InlineData(new[] { 0.2, 0.0, 0.1, -0.2 }, 4.0)] // I = 0 exactly at 4 counts as the crossover
    public void Crossover_interpolates_in_log2_batch(double[] improvement, double expected)
    {
        int[] batches = [2, 4, 8, 16];
        if (improvement[0] == 0.3) batches = [2, 8, 16, 32];
        var c = SweepScoring.FindCrossover(batches.Zip(improvement).ToArray());
        Assert.Equal(expected, c.Batch!.Value, 9);
    }

    [Fact]
    public void No_crossover_is_explained()
    {
        Assert.Contains("every batch size", SweepScoring.FindCrossover([(2, 0.1), (4, 0.2)]).Note);
        Assert.Null(SweepScoring.FindCrossover([(2, -0.1), (4, -0.2)]).Batch);
        Assert.Contains("opposite", SweepScoring.FindCrossover([(2, -0.1), (4, 0.2)]).Note);
    }

    [Fact]
    public void Score_rules()
    {
        Assert.Equal(0.7, SweepScoring.Score(false, 0.7));
        Assert.Equal(100, SweepScoring.Score(true, 0.7));
        Assert.Equal(100, SweepScoring.Score(false, double.PositiveInfinity));
        Assert.Equal(100, SweepScoring.Score(false, 1e5));
        Assert.Equal(100, SweepScoring.Score(false, null));
    }

    [Fact]
    public void Optimizer_spec_gets_the_lr_first()
    {
        Assert.Equal("focus:lr=0.001,beta2=0.99", new SweepOptimizer("f", "focus:beta2=0.99").WithLr(1e-3));
        Assert.Equal("adamw:lr=0.5", new SweepOptimizer("a", "adamw").WithLr(0.5));
    }
}
