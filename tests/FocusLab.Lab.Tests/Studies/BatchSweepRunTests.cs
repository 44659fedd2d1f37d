using FocusLab.Lab.Studies;
using FocusLab.Lab.Tests.Training;

namespace FocusLab.Lab.Tests.Studies;

public class BatchSweepRunTests
{
    private static BatchSweepGrid Grid() => new("test", [4, 16], [1e-3, 3e-2], 2, 6, 1e-2,
        [new("adamw", "adamw:weight_decay=0.01"), new("signum", "signum:weight_decay=0.01")]);

    [Fact]
    public void A_killed_sweep_resumes_without_rerunning_cells_and_shards_merge_to_the_same_cells()
    {
        var (train, test) = TinyTasks.Blobs();
        var grid = Grid();

        string straight = TinyTasks.TempDir();
        Assert.Equal(16, BatchSweep.Run(grid, train, test, straight, Shard.All));
        var reference = BatchSweep.Load(straight).Cells.ToDictionary(c => c.Key);

        // Interrupted after 5 cells, with a half-written line left by the "crash".
        string resumed = TinyTasks.TempDir();
        using (var cts = new CancellationTokenSource())
            Assert.Equal(5, BatchSweep.Run(grid, train, test, resumed, Shard.All, (done, _, _) => { if (done == 5) cts.Cancel(); }, cts.Token));
        File.AppendAllText(Path.Combine(resumed, "cells.jsonl"), "{\"optimizer\":\"adamw\",\"bat");
        Assert.Equal(11, BatchSweep.Run(grid, train, test, resumed, Shard.All));
        Assert.Equal(0, BatchSweep.Run(grid, train, test, resumed, Shard.All));
        AssertSameCells(reference, BatchSweep.Load(resumed).Cells);

        string sharded = TinyTasks.TempDir();
        Assert.Equal(6, BatchSweep.Run(grid, train, test, sharded, new Shard(0, 3)));
        Assert.Equal(5, BatchSweep.Run(grid, train, test, sharded, new Shard(2, 3)));
        Assert.Throws<InvalidOperationException>(() => SweepScoring.Summarize(grid, BatchSweep.Load(sharded).Cells));
        Assert.Equal(5, BatchSweep.Run(grid, train, test, sharded, new Shard(1, 3)));
        var merged = BatchSweep.Load(sharded).Cells;
        AssertSameCells(reference, merged);

        var summary = BatchSweepReport.Write(sharded, grid, merged, "test");
        Assert.Equal(2, summary.Improvements.Length);
        foreach (var f in new[] { "summary.json", "batch_summary.csv", "improvement.csv", "batch_sweep_loss.svg", "batch_sweep.html" })
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
    public void Conflicting_duplicates_and_a_different_grid_are_refused()
    {
        string dir = TinyTasks.TempDir();
        var (train, test) = TinyTasks.Blobs();
        BatchSweep.Run(Grid() with { BatchSizes = [4] }, train, test, dir, new Shard(0, 2));
        var line = File.ReadAllLines(Path.Combine(dir, "cells.shard-0-of-2.jsonl"))[0];
        var cell = SweepCellResult.FromJson(line);
        File.WriteAllText(Path.Combine(dir, "cells.jsonl"), (cell with { Score = cell.Score + 1 }).ToJson() + "\n");
        Assert.Throws<InvalidDataException>(() => BatchSweep.Load(dir));
        Assert.Throws<ArgumentException>(() => BatchSweep.PrepareFolder(dir, Grid()));
        Assert.Throws<ArgumentException>(() => Shard.Parse("2/2"));
        Assert.Equal(new Shard(1, 4), Shard.Parse("1/4"));
    }
}
