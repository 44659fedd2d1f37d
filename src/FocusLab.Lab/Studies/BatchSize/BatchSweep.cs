using System.Diagnostics;
using System.Globalization;
using FocusLab.Engine.Data;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Studies.BatchSize;

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

    /// <summary>The cells file of this shard inside an output folder (a run of the folder's whole grid).</summary>
    public string FileName => Count == 1 ? "cells.jsonl" : $"cells.shard-{Index}-of-{Count}.jsonl";

    /// <summary>
    /// The shard given by <c>--shard</c>, else by a Slurm array (SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT,
    /// task ids from 0), else <see cref="All"/>.
    /// </summary>
    public static Shard FromOptionOrEnvironment(string? option)
    {
        if (option is not null) return Parse(option);
        string? id = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), count = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_COUNT");
        if (id is null || count is null) return All;
        int min = int.TryParse(Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_MIN"), out int m) ? m : 0;
        if (!int.TryParse(id, out int i) || !int.TryParse(count, out int n))
            throw new ArgumentException($"SLURM_ARRAY_TASK_ID={id} / SLURM_ARRAY_TASK_COUNT={count} are not integers; pass --shard i/N instead.");
        return Parse($"{i - min}/{n}");
    }
}

/// <summary>
/// How a sweep process runs its cells: early stop of diverged runs and the fair-tuning extensions. Neither
/// changes the outcome of a cell that is not scored as diverged, so they are not part of the grid.
/// </summary>
/// <param name="DivergenceLoss">A run whose training loss stays above this for <paramref name="DivergencePatience"/> consecutive steps stops and scores <see cref="SweepScoring.DivergedLoss"/> (null = run every step).</param>
/// <param name="MaxLrExtensions">Lr steps the grid may grow beyond each edge for an (optimizer, batch) whose optimum is there.</param>
public sealed record SweepPolicy(double? DivergenceLoss = SweepPolicy.DefaultDivergenceLoss, int DivergencePatience = SweepPolicy.DefaultDivergencePatience,
    int MaxLrExtensions = SweepScoring.DefaultLrExtensions)
{
    /// <summary>10× the diverged score: a training loss this large for <see cref="DefaultDivergencePatience"/> steps in a row.</summary>
    public const double DefaultDivergenceLoss = 1000;

    /// <summary>Consecutive steps; a single noisy small-batch loss never stops a run.</summary>
    public const int DefaultDivergencePatience = 20;

    public static readonly SweepPolicy Default = new();
}

/// <summary>
/// Runs the batch-size study (FOCUS fig. 2c/d): each owned, unfinished cell is one MLP run of the
/// grid's steps with <see cref="Trainer"/> (no files, no update statistics), scored by its final test
/// loss (<see cref="SweepScoring.Score"/>). Results go to the process's cells file as they finish, so a
/// killed sweep resumes where it stopped; cells already in any cells file of the folder are skipped.
/// The grid is stored in <c>sweep.json</c>; a run may add batch sizes or optimizers to it but must agree
/// on everything a cell's outcome depends on (<see cref="BatchSweepGrid.IncompatibilityWith"/>).
/// After the base grid, each (optimizer, batch) of the run whose best lr sits at an edge gets the
/// extension cells of the fair-tuning rule (lr indices below 0 or beyond the grid).
/// </summary>
public static class BatchSweep
{
    public const string GridFileName = "sweep.json";

    /// <summary>Writes or checks <c>sweep.json</c> in <paramref name="outDir"/>; returns the folder's grid (the stored one with <paramref name="grid"/>'s batch sizes and optimizers added).</summary>
    public static BatchSweepGrid PrepareFolder(string outDir, BatchSweepGrid grid)
    {
        grid.Validate();
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, GridFileName);
        if (!File.Exists(path))
        {
            grid = grid with { Arithmetic = FocusLab.Optim.OptimizerArithmetic.Version };
            FocusLab.Lab.Reports.AtomicFile.WriteText(path, grid.ToJson());
            return grid;
        }
        var existing = BatchSweepGrid.FromJson(File.ReadAllText(path));
        if (existing.IncompatibilityWith(grid) is { } why)
            throw new ArgumentException($"{path} describes a different sweep (preset {existing.Preset}, {existing.CellCount} cells; the {why} differ); use another --out or the same settings.");
        var union = existing.UnionWith(grid);
        if (!union.SameAs(existing)) FocusLab.Lab.Reports.AtomicFile.WriteText(path, union.ToJson());
        return union;
    }

    /// <summary>
    /// The cells file this process appends to: <c>cells.jsonl</c> for the folder's whole grid, otherwise a
    /// name that says which batch sizes and optimizers (and shard) it holds, so processes running different
    /// parts of one folder never write to the same file.
    /// </summary>
    public static string CellFileName(BatchSweepGrid folderGrid, BatchSweepGrid runGrid, Shard shard)
    {
        string part = "";
        if (!runGrid.BatchSizes.Order().SequenceEqual(folderGrid.BatchSizes.Order())) part += ".b" + string.Join('-', runGrid.BatchSizes);
        if (runGrid.Optimizers.Length != folderGrid.Optimizers.Length) part += ".o" + string.Join('-', runGrid.Optimizers.Select(o => o.Label));
        return shard.Count == 1 ? $"cells{part}.jsonl" : $"cells{part}.shard-{shard.Index}-of-{shard.Count}.jsonl";
    }

    /// <summary>Runs this shard's remaining cells of <paramref name="grid"/>, then the lr extensions it owns; returns how many cells were run now. <paramref name="progress"/> gets (done, total owned so far, cell).</summary>
    public static int Run(BatchSweepGrid grid, ClassificationDataset train, ClassificationDataset test, string outDir, Shard shard,
        Action<int, int, SweepCellResult>? progress = null, CancellationToken cancel = default, SweepPolicy? policy = null)
    {
        policy ??= SweepPolicy.Default;
        var folderGrid = PrepareFolder(outDir, grid);
        using var store = new CellStore(Path.Combine(outDir, CellFileName(folderGrid, grid, shard)));
        var known = new Dictionary<SweepCellKey, SweepCellResult>();
        foreach (var c in CellStore.Merge(CellFiles(outDir))) known[c.Key] = c;
        var owned = grid.Cells().Select((k, i) => (k, i)).Where(c => shard.Owns(c.i)).Select(c => c.k).ToList();
        int total = owned.Count, done = owned.Count(known.ContainsKey), ran = 0;
        SweepCellResult Compute(SweepCellKey key)
        {
            if (known.TryGetValue(key, out var r)) return r;
            // New cells computed with other arithmetic than the stored ones would not be comparable bit for bit.
            if (folderGrid.ArithmeticMismatch() is { } mismatch)
                throw new ArgumentException($"{Path.Combine(outDir, GridFileName)}: {mismatch}, so new cells would not match the stored ones; finish the sweep with that commit or start a new --out.");
            cancel.ThrowIfCancellationRequested();
            r = RunCell(grid, key, train, test, policy, cancel);
            // A cell cut short by an interrupt is not a result; it runs again on resume.
            cancel.ThrowIfCancellationRequested();
            store.Append(r);
            known[key] = r;
            ran++;
            progress?.Invoke(++done, total, r);
            return r;
        }
        try
        {
            foreach (var key in owned) Compute(key);
            if (policy.MaxLrExtensions == 0) return ran;
            // Other shards' cells may have finished meanwhile: an extension needs every base cell of its pair.
            foreach (var c in CellStore.Merge(CellFiles(outDir))) known.TryAdd(c.Key, c);
            var pairs = grid.BatchSizes.SelectMany(b => grid.Optimizers.Select(o => (b, o.Label))).ToList();
            for (int p = 0; p < pairs.Count; p++)
            {
                if (!shard.Owns(p)) continue;
                var (b, label) = pairs[p];
                bool baseDone = Enumerable.Range(0, grid.LearningRates.Length).All(l => Enumerable.Range(0, grid.Replicates).All(r => known.ContainsKey(new(label, b, l, r))));
                if (!baseDone) continue; // another shard still runs them; rerun this shard afterwards to extend
                SweepScoring.Search(grid, label, b, key =>
                {
                    if (!known.ContainsKey(key)) total++;
                    return Compute(key);
                }, policy.MaxLrExtensions);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
        return ran;
    }

    /// <summary>One cell: a fresh MLP (seed = grid seed + replicate) trained with the cell's optimizer and lr (<see cref="BatchSweepGrid.LrAt"/>).</summary>
    public static SweepCellResult RunCell(BatchSweepGrid grid, SweepCellKey key, ClassificationDataset train, ClassificationDataset test, SweepPolicy? policy = null, CancellationToken cancel = default)
    {
        policy ??= SweepPolicy.Default;
        var opt = grid.Optimizers.SingleOrDefault(o => o.Label == key.Optimizer)
            ?? throw new ArgumentException($"The sweep has no optimizer '{key.Optimizer}'; it has {string.Join(", ", grid.Optimizers.Select(o => o.Label))}.");
        double lr = grid.LrAt(key.LrIndex);
        int seed = grid.Seed + key.Replicate;
        var clock = Stopwatch.StartNew();
        var task = new MlpTask(train, test, key.Batch, seed, evalSamples: grid.EvalSamples);
        var trainer = new Trainer(task, new TrainerOptions
        {
            Optimizer = opt.WithLr(lr),
            Steps = grid.Steps,
            EvalEvery = grid.EvalEvery,
            TrackUpdateStatistics = false,
            DivergenceLoss = policy.DivergenceLoss,
            DivergencePatience = policy.DivergencePatience,
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

    /// <summary>
    /// Parses <c>--only optimizer=signum,batch=8,lr=0.0042,replicate=1</c> (or <c>lr_index=K</c> instead of
    /// <c>lr</c>; an lr must be a point of the grid or of its extensions) into a cell key of <paramref name="grid"/>.
    /// </summary>
    public static SweepCellKey ParseCell(BatchSweepGrid grid, string text, int maxExtensions)
    {
        string hint = "--only wants optimizer=LABEL,batch=B,lr=LR (or lr_index=K),replicate=R, e.g. optimizer=signum,batch=8,lr=0.001,replicate=1";
        var fields = new Dictionary<string, string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--only: '{part}' is not key=value; {hint}.");
            fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        string Need(string k) => fields.TryGetValue(k, out var v) ? v : throw new ArgumentException($"--only: {k} is missing; {hint}.");
        int Int(string k) => int.TryParse(Need(k), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--only: {k}={fields[k]} is not an integer.");
        foreach (var k in fields.Keys)
            if (k is not ("optimizer" or "batch" or "lr" or "lr_index" or "replicate")) throw new ArgumentException($"--only: unknown field '{k}'; {hint}.");
        string opt = Need("optimizer");
        if (grid.Optimizers.All(o => o.Label != opt)) throw new ArgumentException($"--only: the sweep has no optimizer '{opt}'; choose one of {string.Join(", ", grid.Optimizers.Select(o => o.Label))}.");
        int batch = Int("batch");
        if (batch < 2) throw new ArgumentException($"--only: batch={batch} must be ≥ 2.");
        int rep = Int("replicate");
        if (rep < 0 || rep >= grid.Replicates) throw new ArgumentException($"--only: replicate={rep} must be in 0..{grid.Replicates - 1}.");
        int index;
        if (fields.ContainsKey("lr_index"))
        {
            index = Int("lr_index");
            if (index < -maxExtensions || index >= grid.LearningRates.Length + maxExtensions)
                throw new ArgumentException($"--only: lr_index={index} must be in {-maxExtensions}..{grid.LearningRates.Length + maxExtensions - 1} (negative or ≥ {grid.LearningRates.Length}: an extension of the grid).");
        }
        else
        {
            string lrText = Need("lr");
            if (!double.TryParse(lrText, NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) || !(lr > 0))
                throw new ArgumentException($"--only: lr={lrText} is not a positive number.");
            index = grid.LrIndexOf(lr, maxExtensions)
                ?? throw new ArgumentException($"--only: lr={lrText} is not on the sweep's grid (or its extensions); give the lr as stored in cells.jsonl (e.g. {grid.LearningRates[0].ToString("R", CultureInfo.InvariantCulture)}) or lr_index=K.");
        }
        return new SweepCellKey(opt, batch, index, rep);
    }

    /// <summary>Every cells file in <paramref name="outDir"/> (the unsharded one, all shards and partial runs).</summary>
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
