
using FocusLab.Lab.Claims;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Tests.Studies.BatchSize;

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
        var s = SweepScoring.Summarize(Grid(), cells, maxExtensions: 0);

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

    [Fact]
    public void Extended_lrs_are_the_fair_tuning_searchs_own_points()
    {
        var grid = Grid() with { LearningRates = BatchSweepGrid.LogSpace(-4, 0, 20) };
        var tried = new List<double>();
        // A score that keeps falling below the grid: the search extends three times downwards.
        var search = FocusLab.Lab.Tuning.InteriorLrSearch.Run(grid.LearningRates, lr => { tried.Add(lr); return [lr]; }, 3);
        Assert.Equal(3, search.Extensions);
        Assert.Equal([grid.LrAt(-1), grid.LrAt(-2), grid.LrAt(-3)], tried.Skip(20).ToArray());
        var up = FocusLab.Lab.Tuning.InteriorLrSearch.Run(grid.LearningRates, lr => [-lr], 2);
        Assert.Equal([grid.LrAt(20), grid.LrAt(21)], up.Grid.Skip(20).ToArray());
        Assert.Equal(1.0 * 1.0 / grid.LearningRates[18], grid.LrAt(20));
        for (int i = -3; i < 23; i++) Assert.Equal(i, grid.LrIndexOf(grid.LrAt(i), 3));
        Assert.Null(grid.LrIndexOf(0.5, 3));
    }

    [Fact]
    public void An_edge_optimum_waits_for_its_extension_cells_and_then_moves_inside()
    {
        // signum's mean loss falls towards larger lrs at batch 4: 0.8 at lr 0.01, 0.5 at 0.1 (the upper edge).
        var cells = new List<SweepCellResult>
        {
            Cell("adamw", 4, 0, 0, 0.9), Cell("adamw", 4, 0, 1, 1.1), Cell("adamw", 4, 1, 0, 1.2), Cell("adamw", 4, 1, 1, 1.2),
            Cell("signum", 4, 0, 0, 0.8), Cell("signum", 4, 0, 1, 0.8), Cell("signum", 4, 1, 0, 0.4), Cell("signum", 4, 1, 1, 0.6),
        };
        var grid = Grid() with { BatchSizes = [4] };
        // Without the cells at lr index 2 (lr 1) the batch is incomplete, so nothing is summarised.
        var e = Assert.Throws<InvalidOperationException>(() => SweepScoring.Summarize(grid, cells, 1));
        Assert.Contains("no batch size is complete", e.Message);

        cells.Add(Cell("signum", 4, 2, 0, 0.7) with { Lr = 1 });
        cells.Add(Cell("signum", 4, 2, 1, 0.7) with { Lr = 1 });
        // adamw's optimum is at the lower edge (1.0 at lr 0.01): its extension (lr index −1) is needed too.
        Assert.Throws<InvalidOperationException>(() => SweepScoring.Summarize(grid, cells, 1));
        cells.Add(Cell("adamw", 4, -1, 0, 1.3) with { Lr = 0.001 });
        cells.Add(Cell("adamw", 4, -1, 1, 1.3) with { Lr = 0.001 });
        var s = SweepScoring.Summarize(grid, cells, 1);
        var signum = s.Results.Single(r => r.Optimizer == "signum");
        Assert.Equal([0.01, 0.1, 1.0], signum.LrGrid.Select(x => Math.Round(x, 12)).ToArray());
        Assert.Equal(1, signum.BestLrIndex);
        Assert.False(signum.AtUpperEdge);
        Assert.Equal(1, signum.Extensions);
        var adamw = s.Results.Single(r => r.Optimizer == "adamw");
        Assert.Equal((0, 1, false), (adamw.BestLrIndex, adamw.Extensions, adamw.AtLowerEdge));
        Assert.Equal([1.3, 1.0, 1.2], adamw.MeanLossPerLr.Select(x => Math.Round(x, 12)).ToArray());
        Assert.Equal((1.0 - 0.5) / 1.0, s.Improvements.Single().I, 12);
    }

    [Fact]
    public void The_difference_is_larger_than_the_spread_only_when_every_replicate_agrees()
    {
        OptimizerAtBatch At(string o, double[] losses, bool edge = false) =>
            new(o, 8, 0.1, 0, losses.Average(), SweepScoring.Std(losses), losses, null, 0, [losses.Average()], [0.1], 0, edge, false);
        var clear = SweepScoring.Compare(At("adamw", [1.0, 1.0, 1.0]), At("signum", [0.9, 0.8, 0.95]));
        Assert.True(clear.I > 0);
        Assert.True(clear.LargerThanSpread);
        Assert.False(clear.EdgeOptimum);
        var mixed = SweepScoring.Compare(At("adamw", [1.0, 1.0, 1.0]), At("signum", [0.8, 0.8, 1.1], edge: true));
        Assert.True(mixed.I > 0);
        Assert.False(mixed.LargerThanSpread);
        Assert.True(mixed.EdgeOptimum);
    }

    private static Improvement I(int batch, double i, bool larger = true, bool edge = false) => new("signum", batch, i, i, 0.01, i, i, larger, edge);

    [Fact]
    public void The_crossover_claim_is_judged_at_both_ends_with_spread_edges_and_unfinished_batches()
    {
        string V(Improvement[] curve, int incomplete = 0) => BatchSweepClaims.Judge(curve, incomplete).Verdict;
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.Reproduced, V([I(2, 0.05), I(64, 0.0, false), I(4096, -0.1)]));
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotReproduced, V([I(2, -0.05), I(4096, -0.1)]));
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotReproduced, V([I(2, 0.01, larger: false), I(4096, -0.1)]));
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotTestable, V([I(2, 0.05, edge: true), I(4096, -0.1)]));
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotTestable, V([I(2, 0.05), I(256, -0.1)], incomplete: 4));
        // A wrong sign beyond the spread at an interior optimum outweighs an edge at the other end.
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotReproduced, V([I(2, -0.05), I(4096, -0.1, edge: true)]));
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotTestable, V([I(2, 0.05)]));
    }
}
