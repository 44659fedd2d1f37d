using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Tests.Training;

namespace FocusLab.Lab.Tests.Studies.BatchSize;

public class BatchSweepRunTests
{
    private static readonly SweepPolicy FixedGrid = new(MaxLrExtensions: 0);

    private static BatchSweepGrid Grid() => new("test", [4, 16], [1e-3, 3e-2], 2, 6, 1e-2,
        [new("adamw", "adamw:weight_decay=0.01"), new("signum", "signum:weight_decay=0.01")]);

    [Fact]
    public void A_killed_sweep_resumes_without_rerunning_cells_and_shards_merge_to_the_same_cells()
    {
        var (train, test) = TinyTasks.Blobs();
        var grid = Grid();

        string straight = TinyTasks.TempDir();
        Assert.Equal(16, BatchSweep.Run(grid, train, test, straight, Shard.All, policy: FixedGrid));
        var reference = BatchSweep.Load(straight).Cells.ToDictionary(c => c.Key);

        // Interrupted after 5 cells, with a half-written line left by the "crash".
        string resumed = TinyTasks.TempDir();
        using (var cts = new CancellationTokenSource())
            Assert.Equal(5, BatchSweep.Run(grid, train, test, resumed, Shard.All, (done, _, _) => { if (done == 5) cts.Cancel(); }, cts.Token, FixedGrid));
        File.AppendAllText(Path.Combine(resumed, "cells.jsonl"), "{\"optimizer\":\"adamw\",\"bat");
        Assert.Equal(11, BatchSweep.Run(grid, train, test, resumed, Shard.All, policy: FixedGrid));
        Assert.Equal(0, BatchSweep.Run(grid, train, test, resumed, Shard.All, policy: FixedGrid));
        AssertSameCells(reference, BatchSweep.Load(resumed).Cells);

        string sharded = TinyTasks.TempDir();
        Assert.Equal(6, BatchSweep.Run(grid, train, test, sharded, new Shard(0, 3), policy: FixedGrid));
        Assert.Equal(5, BatchSweep.Run(grid, train, test, sharded, new Shard(2, 3), policy: FixedGrid));
        Assert.Throws<InvalidOperationException>(() => SweepScoring.Summarize(grid, BatchSweep.Load(sharded).Cells, 0));
        Assert.Equal(5, BatchSweep.Run(grid, train, test, sharded, new Shard(1, 3), policy: FixedGrid));
        var merged = BatchSweep.Load(sharded).Cells;
        AssertSameCells(reference, merged);

        var summary = BatchSweepReport.Write(sharded, grid, merged, "test", maxExtensions: 0);
        Assert.Equal(2, summary.Improvements.Length);
        foreach (var f in new[] { "summary.json", "claims.json", "batch_summary.csv", "improvement.csv", "batch_sweep_loss.svg", "batch_sweep.html" })
            Assert.True(File.Exists(Path.Combine(sharded, f)), f);
        Assert.Contains(System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(sharded, "batch_sweep_loss.svg"))).Descendants(),
            e => e.Name.LocalName == "path" && e.Attribute("fill")?.Value == "none" && e.Attribute("stroke") is not null); // a line was drawn
    }

    private static void AssertSameCells(Dictionary<SweepCellKey, SweepCellResult> reference, List<SweepCellResult> cells)
    {
        Assert.Equal(reference.Count, cells.Count);
        foreach (var c in cells) Assert.True(reference[c.Key].SameOutcome(c), $"cell {c.Key} differs");
        Assert.Contains(cells, c => c.TestLoss is > 0 and < 5);
    }

    [Fact]
    public void A_store_computed_with_other_optimizer_arithmetic_reports_and_refuses_new_cells_but_still_reads()
    {
        var (train, test) = TinyTasks.Blobs();
        string dir = TinyTasks.TempDir();
        Assert.Equal(8, BatchSweep.Run(Grid() with { BatchSizes = [4] }, train, test, dir, Shard.All, policy: FixedGrid));
        var stored = BatchSweep.Load(dir).Grid;
        Assert.Equal(FocusLab.Optim.OptimizerArithmetic.Version, stored.ArithmeticVersion);
        Assert.Null(stored.ArithmeticMismatch());

        // A store written before the field existed (its sweep.json has no "arithmetic") was computed with version 1.
        string path = Path.Combine(dir, BatchSweep.GridFileName);
        var legacy = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(legacy.Remove("arithmetic"));
        File.WriteAllText(path, legacy.ToJsonString());
        var old = BatchSweep.Load(dir);
        Assert.Equal(1, old.Grid.ArithmeticVersion);
        Assert.Contains("commit e3d6cbf", old.Grid.ArithmeticMismatch());
        Assert.Equal(8, old.Cells.Count); // its results are still read and summarised

        // Finished cells need nothing; a new cell would mix arithmetic, so it is refused with the way out.
        Assert.Equal(0, BatchSweep.Run(Grid() with { BatchSizes = [4] }, train, test, dir, Shard.All, policy: FixedGrid));
        var e = Assert.Throws<ArgumentException>(() => BatchSweep.Run(Grid(), train, test, dir, Shard.All, policy: FixedGrid));
        Assert.Contains("optimizer arithmetic v1", e.Message);
        Assert.Contains("start a new --out", e.Message);
    }

    [Fact]
    public void Conflicting_duplicates_and_a_different_grid_are_refused()
    {
        string dir = TinyTasks.TempDir();
        var (train, test) = TinyTasks.Blobs();
        BatchSweep.Run(Grid() with { BatchSizes = [4] }, train, test, dir, new Shard(0, 2), policy: FixedGrid);
        var line = File.ReadAllLines(Path.Combine(dir, "cells.shard-0-of-2.jsonl"))[0];
        var cell = SweepCellResult.FromJson(line);
        File.WriteAllText(Path.Combine(dir, "cells.jsonl"), (cell with { Score = cell.Score + 1 }).ToJson() + "\n");
        Assert.Throws<InvalidDataException>(() => BatchSweep.Load(dir));
        // Another lr grid or another spec under a known label would mix incomparable cells; more batch sizes would not.
        Assert.Throws<ArgumentException>(() => BatchSweep.PrepareFolder(dir, Grid() with { LearningRates = [1e-3, 1e-2] }));
        Assert.Throws<ArgumentException>(() => BatchSweep.PrepareFolder(dir, Grid() with { Optimizers = [new("adamw", "adamw"), new("signum", "signum:weight_decay=0.01")] }));
        Assert.Equal([4, 16], BatchSweep.PrepareFolder(dir, Grid()).BatchSizes);
        Assert.Throws<ArgumentException>(() => Shard.Parse("2/2"));
        Assert.Equal(new Shard(1, 4), Shard.Parse("1/4"));
    }

    [Fact]
    public void Batch_subsets_run_into_one_folder_give_the_cells_of_the_whole_grid_and_skip_what_is_there()
    {
        var (train, test) = TinyTasks.Blobs();
        var grid = Grid();
        string whole = TinyTasks.TempDir();
        BatchSweep.Run(grid, train, test, whole, Shard.All, policy: FixedGrid);
        var reference = BatchSweep.Load(whole).Cells.ToDictionary(c => c.Key);

        string parts = TinyTasks.TempDir();
        Assert.Equal(8, BatchSweep.Run(grid with { BatchSizes = [16] }, train, test, parts, Shard.All, policy: FixedGrid));
        Assert.Equal(8, BatchSweep.Run(grid with { BatchSizes = [4] }, train, test, parts, Shard.All, policy: FixedGrid));
        Assert.True(File.Exists(Path.Combine(parts, "cells.b4.jsonl"))); // its own file: the two parts may run at once
        Assert.Equal([4, 16], BatchSweep.Load(parts).Grid.BatchSizes);
        // The whole grid now finds every cell in the partial files.
        Assert.Equal(0, BatchSweep.Run(grid, train, test, parts, Shard.All, policy: FixedGrid));
        AssertSameCells(reference, BatchSweep.Load(parts).Cells);
    }

    [Fact]
    public void An_edge_optimum_gets_extension_cells_and_the_summary_uses_them()
    {
        var (train, test) = TinyTasks.Blobs();
        // Tiny lrs: every optimizer's best is at the upper edge, so the grid must grow upwards.
        var grid = new BatchSweepGrid("test", [8], [1e-5, 2e-5], 2, 6, 1e-2,
            [new("adamw", "adamw:weight_decay=0.01"), new("signum", "signum:weight_decay=0.01")]);
        string dir = TinyTasks.TempDir();
        int ran = BatchSweep.Run(grid, train, test, dir, Shard.All, policy: new SweepPolicy(MaxLrExtensions: 2));
        var cells = BatchSweep.Load(dir).Cells;
        Assert.Equal(ran, cells.Count);
        Assert.Contains(cells, c => c.LrIndex == 2 && c.Lr == grid.LrAt(2));
        Assert.True(cells.Count > grid.CellCount);

        var summary = SweepScoring.Summarize(grid, cells, 2);
        foreach (var r in summary.Results)
        {
            Assert.Equal(r.LrGrid.Length, 2 + r.Extensions);
            Assert.Equal(r.BestLr, grid.LrAt(r.BestLrIndex));
            Assert.Equal(r.MeanLossPerLr.Min(), r.LossMean);
        }
        // The same cells give the same choice without a fixed-grid policy's extensions missing: with 0 allowed they are ignored.
        var fixedGrid = SweepScoring.Summarize(grid, cells, 0);
        Assert.All(fixedGrid.Results, r => Assert.True(r.BestLrIndex is 0 or 1));
        Assert.Equal(0, BatchSweep.Run(grid, train, test, dir, Shard.All, policy: new SweepPolicy(MaxLrExtensions: 2)));
    }

    [Fact]
    public void A_cell_recomputed_alone_is_bit_identical_and_early_stop_leaves_finite_runs_alone()
    {
        var (train, test) = TinyTasks.Blobs();
        var grid = Grid();
        var key = new SweepCellKey("signum", 4, 1, 1);
        var a = BatchSweep.RunCell(grid, key, train, test);
        var b = BatchSweep.RunCell(grid, key, train, test, new SweepPolicy(DivergenceLoss: null));
        Assert.True(a.SameOutcome(b));
        Assert.False(a.Diverged);

        // A limit the loss always exceeds stops the run after exactly the patience, scored as diverged.
        var stopped = BatchSweep.RunCell(grid, key, train, test, new SweepPolicy(DivergenceLoss: 1e-3, DivergencePatience: 3));
        Assert.True(stopped.Diverged);
        Assert.Equal(3, stopped.DivergedAtStep);
        Assert.Equal(SweepScoring.DivergedLoss, stopped.Score);
        // A diverged cell computed with and without the early stop is the same outcome (score 100); a finite one is not.
        var late = stopped with { DivergedAtStep = null, TestLoss = 1e9 };
        Assert.True(stopped.SameOutcome(late));
        Assert.False(a.SameOutcome(a with { TestLoss = a.TestLoss + 1e-12 }));
    }

    [Theory]
    [InlineData("optimizer=signum,batch=8,lr=3.3333333333333335E-05,replicate=1", "signum", 8, -1, 1)] // (1e-3)²/3e-2
    [InlineData("optimizer=adamw, batch=4, lr_index=3, replicate=0", "adamw", 4, 3, 0)]
    [InlineData("optimizer=adamw,batch=4,lr=0.03,replicate=0", "adamw", 4, 1, 0)]
    public void Only_parses_a_cell_by_lr_value_or_index(string text, string opt, int batch, int lrIndex, int rep)
    {
        Assert.Equal(new SweepCellKey(opt, batch, lrIndex, rep), BatchSweep.ParseCell(Grid(), text, 3));
    }

    [Theory]
    [InlineData("optimizer=sgd,batch=8,lr_index=0,replicate=0", "no optimizer 'sgd'")]
    [InlineData("optimizer=adamw,batch=8,lr=0.5,replicate=0", "not on the sweep's grid")]
    [InlineData("optimizer=adamw,batch=8,lr_index=0,replicate=2", "replicate=2 must be in 0..1")]
    [InlineData("optimizer=adamw,batch=8,replicate=0", "lr is missing")]
    public void Only_names_what_is_wrong(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => BatchSweep.ParseCell(Grid(), text, 3));
        Assert.Contains(message, e.Message);
    }
}
