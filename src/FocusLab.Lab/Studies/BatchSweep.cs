using System.Diagnostics;
using FocusLab.Engine.Data;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Studies;

/// <summary>Which part of a grid this process runs: cells whose index mod <see cref="Count"/> equals <see cref="Index"/>.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard All = new(0, 1);

    /// <summary>Parses "i/N" with 0 ≤ i &lt; N.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 0 || i >= n)
            throw new ArgumentException($"--shard '{text}' must be i/N with 0 ≤ i < N, e.g. 0/4.");
        return new Shard(i, n);
    }

    public bool Owns(int cellIndex) => cellIndex % Count == Index;

    /// <summary>The cells file of this shard inside an output folder.</summary>
    public string FileName => Count == 1 ? "cells.jsonl" : $"cells.shard-{Index}-of-{Count}.jsonl";
}

/// <summary>
/// Runs the batch-size study (FOCUS fig. 2c/d): each owned, unfinished cell is one MLP run of the
/// grid's steps with <see cref="Trainer"/> (no files, no update statistics), scored by its final test
/// loss (<see cref="SweepScoring.Score"/>). Results go to the shard's cells file as they finish, so a
/// killed sweep resumes where it stopped; the grid is stored in <c>sweep.json</c> and must match on
/// restart and merge.
/// </summary>
public static class BatchSweep
{
    public const string GridFileName = "sweep.json";

    /// <summary>Writes or checks <c>sweep.json</c> in <paramref name="outDir"/>.</summary>
    public static void PrepareFolder(string outDir, BatchSweepGrid grid)
    {
        grid.Validate();
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, GridFileName);
        if (File.Exists(path))
        {
            var existing = BatchSweepGrid.FromJson(File.ReadAllText(path));
            if (!existing.SameAs(grid))
                throw new ArgumentException($"{path} describes a different sweep (preset {existing.Preset}, {existing.CellCount} cells); use another --out or the same settings.");
        }
        else FocusLab.Lab.Reports.AtomicFile.WriteText(path, grid.ToJson());
    }

    /// <summary>Runs this shard's remaining cells; returns how many were run now. <paramref name="progress"/> gets (done, total owned, cell).</summary>
    public static int Run(BatchSweepGrid grid, ClassificationDataset train, ClassificationDataset test, string outDir, Shard shard,
        Action<int, int, SweepCellResult>? progress = null, CancellationToken cancel = default)
    {
        PrepareFolder(outDir, grid);
        using var store = new CellStore(Path.Combine(outDir, shard.FileName));
        var owned = grid.Cells().Select((k, i) => (k, i)).Where(c => shard.Owns(c.i)).Select(c => c.k).ToList();
        int done = owned.Count(store.Contains), ran = 0;
        foreach (var key in owned)
        {
            if (cancel.IsCancellationRequested) break;
            if (store.Contains(key)) continue;
            var result = RunCell(grid, key, train, test, cancel);
            if (cancel.IsCancellationRequested) break; // a cell cut short is not a result; it runs again on resume
            store.Append(result);
            ran++;
            progress?.Invoke(++done, owned.Count, result);
        }
        return ran;
    }

    /// <summary>One cell: a fresh MLP (seed = grid seed + replicate) trained with the cell's optimizer and lr.</summary>
    public static SweepCellResult RunCell(BatchSweepGrid grid, SweepCellKey key, ClassificationDataset train, ClassificationDataset test, CancellationToken cancel = default)
    {
        var opt = grid.Optimizers.Single(o => o.Label == key.Optimizer);
        double lr = grid.LearningRates[key.LrIndex];
        int seed = grid.Seed + key.Replicate;
        var clock = Stopwatch.StartNew();
        var task = new MlpTask(train, test, key.Batch, seed, evalSamples: grid.EvalSamples);
        var trainer = new Trainer(task, new TrainerOptions
        {
            Optimizer = opt.WithLr(lr),
            Steps = grid.Steps,
            EvalEvery = grid.EvalEvery,
            TrackUpdateStatistics = false,
        });
        var r = trainer.Run(cancel: cancel);
        double? loss = r.Diverged ? null : r.FinalEvaluation?.Loss;
        double score = SweepScoring.Score(r.Diverged, loss);
        double[][]? curve = grid.EvalEvery > 0
            ? r.Metrics.Where(m => m.EvalLoss is not null).Select(m => new[] { m.Step, m.EvalLoss!.Value }).ToArray()
            : null;
        return new SweepCellResult(key.Optimizer, key.Batch, key.LrIndex, lr, key.Replicate, seed, score, loss,
            r.Diverged ? null : r.FinalEvaluation?.Accuracy, r.Diverged || score >= SweepScoring.DivergedLoss, r.Divergence?.Step,
            clock.Elapsed.TotalSeconds, curve);
    }

    /// <summary>Every cells file in <paramref name="outDir"/> (the unsharded one and all shards).</summary>
    public static IReadOnlyList<string> CellFiles(string outDir) =>
        Directory.Exists(outDir)
            ? Directory.GetFiles(outDir, "cells*.jsonl").Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Reads <c>sweep.json</c> and all cell files of a folder, merged.</summary>
    public static (BatchSweepGrid Grid, List<SweepCellResult> Cells) Load(string outDir)
    {
        string path = Path.Combine(outDir, GridFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{outDir} holds no {GridFileName}; run `focuslab batch-sweep --out {outDir}` first.", path);
        return (BatchSweepGrid.FromJson(File.ReadAllText(path)), CellStore.Merge(CellFiles(outDir)));
    }
}
