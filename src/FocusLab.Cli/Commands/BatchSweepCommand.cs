using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Engine.Data.Mnist;
using FocusLab.Lab.Studies.BatchSize;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab batch-sweep`: the FOCUS batch-size crossover (fig. 2c/d) — MLP on Fashion-MNIST, adamw vs
/// signum vs focus over batch sizes and learning rates; resumable, shardable (--shard i/N, then --merge).
/// </summary>
internal static class BatchSweepCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (batch 2,8,32,128,512 × 5 lrs × 3 replicates × 100 steps) or paper (2^1..2^12 × 20 lrs × 3 replicates × 400 steps).", DefaultValueFactory = _ => "quick" };
        preset.AcceptOnlyFromAmong("quick", "paper");
        var data = new Option<string?>("--data") { Description = "MNIST-format folder (default /usr/share/datasets/fashion-mnist)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (sweep.json, cells*.jsonl, summary.json, CSV, SVG, HTML; default runs/batch-sweep-<preset>)." };
        var format = Tabular.FormatOption();
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of N (cells with index mod N = i), e.g. 0/4; combine with --merge." };
        var merge = new Option<bool>("--merge") { Description = "Do not train: merge every cells file in --out and write the summary." };
        var steps = new Option<int?>("--steps") { Description = "Override the preset's steps per run." };
        var replicates = new Option<int?>("--replicates") { Description = "Override the preset's replicates." };
        var evalEvery = new Option<int?>("--eval-every") { Description = "Also evaluate the test loss every K steps (stored per cell); default: only at the end." };
        var json = new Option<bool>("--json") { Description = "Print the summary JSON on stdout." };
        var batches = new Option<string?>("--batches") { Description = "Batch sizes to run: a list (2,4,8) or powers of two (2^1..2^6). On an existing --out, any subset of its sizes (e.g. the small-batch end first); new sizes are added to its grid." };
        var optimizers = new Option<string?>("--optimizers") { Description = "Comma-separated subset of the preset's optimizers (adamw,signum,focus_g0.2,focus_g0.4); adamw and signum are required." };
        var lrs = new Option<string?>("--lrs") { Description = "Learning-rate grid: a list (1e-4,1e-3,1e-2) or log-spaced bounds LO:HI:N (1e-4:1:20)." };
        var only = new Option<string?>("--only") { Description = "Recompute one cell and compare it with the stored one, e.g. optimizer=signum,batch=8,lr=0.001,replicate=1 (or lr_index=K); writes nothing." };
        var extensions = new Option<int>("--lr-extensions") { Description = "Fair tuning: learning-rate steps added beyond an edge of the grid where an (optimizer, batch) has its best lr (0 = fixed grid).", DefaultValueFactory = _ => SweepScoring.DefaultLrExtensions };
        var divergence = new Option<double>("--divergence-loss") { Description = $"Stop a run as diverged (score 100) once its training loss stays above this for {SweepPolicy.DefaultDivergencePatience} steps (0 = never).", DefaultValueFactory = _ => SweepPolicy.DefaultDivergenceLoss };
        var cmd = new Command("batch-sweep", "FOCUS fig. 2c/d: best test loss of adamw, signum and focus vs batch size on Fashion-MNIST; improvement I and crossover batch size.")
        {
            preset, data, outDir, shard, merge, steps, replicates, evalEvery, json, batches, optimizers, lrs, only, extensions, divergence, format,
        };
        cmd.SetAction(r =>
        {
            string dir = r.GetValue(outDir) ?? OutputFolder.Default("batch-sweep", r.GetValue(preset)!);
            var tableFormat = Tabular.Parse(r.GetValue(format));
            string command = "focuslab " + string.Join(' ', r.Tokens.Select(t => t.Value));
            int maxExt = r.GetValue(extensions);
            if (maxExt < 0) throw new ArgumentException("--lr-extensions must be ≥ 0.");
            double stopLoss = r.GetValue(divergence);
            if (stopLoss < 0 || !double.IsFinite(stopLoss)) throw new ArgumentException("--divergence-loss must be ≥ 0 (0 = never stop early).");
            var policy = new SweepPolicy(stopLoss == 0 ? null : stopLoss, SweepPolicy.DefaultDivergencePatience, maxExt);
            if (r.GetValue(merge))
            {
                if (r.GetValue(shard) is not null) throw new ArgumentException("--merge combines all shards; do not pass --shard with it.");
                var (savedGrid, cells) = BatchSweep.Load(dir);
                return Report(dir, savedGrid, cells, command, r.GetValue(json), maxExt, tableFormat);
            }
            var grid = BatchSweepGrid.FromPreset(r.GetValue(preset)!);
            if (r.GetValue(steps) is { } s) grid = grid with { Steps = s };
            if (r.GetValue(replicates) is { } n) grid = grid with { Replicates = n };
            if (r.GetValue(evalEvery) is { } k) grid = grid with { EvalEvery = k };
            if (r.GetValue(batches) is { } bText) grid = grid with { BatchSizes = BatchSweepGrid.ParseBatches(bText) };
            if (r.GetValue(lrs) is { } lrText) grid = grid with { LearningRates = BatchSweepGrid.ParseLrs(lrText) };
            if (r.GetValue(optimizers) is { } oText)
            {
                var wanted = oText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                var unknown = wanted.Where(w => grid.Optimizers.All(o => o.Label != w)).ToList();
                if (unknown.Count > 0) throw new ArgumentException($"--optimizers: unknown {string.Join(", ", unknown)}; choose from {string.Join(",", grid.Optimizers.Select(o => o.Label))}.");
                grid = grid with { Optimizers = grid.Optimizers.Where(o => wanted.Contains(o.Label)).ToArray() };
            }
            if (grid.EvalEvery < 0) throw new ArgumentException("--eval-every must be ≥ 0.");
            if (r.GetValue(only) is { } cellText)
                return RecomputeCell(dir, grid, cellText, r.GetValue(data), policy);
            grid.Validate();
            var part = Shard.FromOptionOrEnvironment(r.GetValue(shard));
            OutputFolder.Prepare(dir);
            var folderGrid = BatchSweep.PrepareFolder(dir, grid);
            var dataset = MnistDataset.Load(r.GetValue(data));

            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask($"batch-sweep {grid.Preset} shard {part.Index}/{part.Count}");
                    bar.MaxValue = 1;
                    BatchSweep.Run(grid, dataset.Train, dataset.Test, dir, part, (done, total, cell) =>
                    {
                        bar.MaxValue = total;
                        bar.Value = done;
                        bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"cell {done}/{total}: {cell.Optimizer} batch {cell.Batch} lr {cell.Lr:G3} rep {cell.Replicate} → {cell.Score:F4}"));
                    }, Interrupt.Token, policy);
                    if (!Interrupt.Requested) bar.Value = bar.MaxValue;
                });
            if (part.Count > 1 && Interrupt.Requested)
                return Interrupted(dir, CellStore.Merge(BatchSweep.CellFiles(dir)).Count, grid.CellCount);
            if (part.Count > 1)
            {
                Console.Error.WriteLine($"Shard {part.Index}/{part.Count} finished ({Path.Combine(dir, BatchSweep.CellFileName(folderGrid, grid, part))}). When every shard is done, rerun each shard once more (it adds the lr extensions it owns), then: focuslab batch-sweep --out {dir} --merge");
                return 0;
            }
            var (g, all) = BatchSweep.Load(dir);
            if (Interrupt.Requested) return Interrupted(dir, all.Count, g.CellCount);
            return Report(dir, g, all, command, r.GetValue(json), maxExt, tableFormat);
        });
        return cmd;
    }

    /// <summary>
    /// `--only`: recomputes one cell of the folder's grid (or of the options' grid when the folder holds
    /// none) and compares it with the stored result. Exit 0 when they agree (bit for bit on the test loss,
    /// or both scored as diverged), 1 when they differ, 0 with a note when no stored result exists.
    /// </summary>
    private static int RecomputeCell(string dir, BatchSweepGrid optionsGrid, string cellText, string? data, SweepPolicy policy)
    {
        var grid = File.Exists(Path.Combine(dir, BatchSweep.GridFileName)) ? BatchSweep.Load(dir).Grid : optionsGrid;
        grid.Validate();
        var key = BatchSweep.ParseCell(grid, cellText, policy.MaxLrExtensions);
        var dataset = MnistDataset.Load(data);
        var stored = Directory.Exists(dir) ? CellStore.Merge(BatchSweep.CellFiles(dir)).FirstOrDefault(c => c.Key == key) : null;
        var cell = BatchSweep.RunCell(grid, key, dataset.Train, dataset.Test, policy);
        Console.WriteLine(cell.ToJson());
        if (stored is null)
        {
            Console.Error.WriteLine($"{key}: no stored result in {dir} to compare with.");
            return 0;
        }
        bool same = cell.SameOutcome(stored);
        Console.Error.WriteLine(same
            ? string.Create(CultureInfo.InvariantCulture, $"{key}: same result as stored (score {cell.Score:R}{(cell.Diverged ? ", diverged" : "")})")
            : string.Create(CultureInfo.InvariantCulture, $"{key}: DIFFERS from stored: score {cell.Score:R} vs {stored.Score:R}, test loss {cell.TestLoss:R} vs {stored.TestLoss:R}")
              + (grid.ArithmeticMismatch() is { } why ? $" — expected: {why}; recompute with that commit to compare bit for bit" : ""));
        return same ? 0 : 1;
    }

    /// <summary>After an interrupt: every finished cell is on disk; say so and how to continue.</summary>
    private static int Interrupted(string dir, int done, int total)
    {
        Console.Error.WriteLine($"focuslab: interrupted: {done} of {total} cells are saved in {dir} (an unfinished cell is run again from its start).");
        Console.Error.WriteLine($"focuslab: continue with: {Interrupt.ResumeCommand()}");
        return Interrupt.ExitCode;
    }

    private static int Report(string dir, BatchSweepGrid grid, List<SweepCellResult> cells, string command, bool json, int maxExtensions, TableFormat format)
    {
        var summary = BatchSweepReport.Write(dir, grid, cells, command, maxExtensions);
        if (json) { Console.WriteLine(File.ReadAllText(Path.Combine(dir, "summary.json"))); return 0; }
        var header = new List<string> { "batch" };
        foreach (var o in grid.Optimizers) header.Add($"{o.Label} loss (lr)");
        foreach (var oc in summary.Crossovers) header.Add($"I {oc.Optimizer} ± sd");
        var rows = new List<IReadOnlyList<string>>();
        foreach (int b in summary.Results.Select(q => q.Batch).Distinct().Order())
        {
            var row = new List<string> { b.ToString() };
            foreach (var o in grid.Optimizers)
            {
                var x = summary.Results.Single(q => q.Batch == b && q.Optimizer == o.Label);
                row.Add(string.Create(CultureInfo.InvariantCulture, $"{x.LossMean:F4} ({x.BestLr:G2}{(x.AtLowerEdge || x.AtUpperEdge ? ", edge" : "")})"));
            }
            foreach (var oc in summary.Crossovers)
            {
                var i = summary.Improvements.Single(q => q.Batch == b && q.Optimizer == oc.Optimizer);
                row.Add(string.Create(CultureInfo.InvariantCulture, $"{FocusLab.Lab.Claims.ClaimFormat.Signed(i.I)} ± {i.ReplicateStd:F3}{(i.LargerThanSpread ? " *" : "")}"));
            }
            rows.Add(row);
        }
        Tabular.Write(format, header, rows);
        if (format != TableFormat.Table) return 0;
        Console.WriteLine("* = every replicate agrees on the sign (the difference is larger than the replicate spread); edge = best lr still at an edge of its grid");
        foreach (var oc in summary.Crossovers) Console.WriteLine($"{oc.Optimizer}: {BatchSweepReport.CrossoverText(oc.Crossover)}");
        if (summary.IncompleteBatches.Length > 0)
            Console.WriteLine($"not finished (left out of the summary): batch {string.Join(", ", summary.IncompleteBatches.Select(x => x.Batch))}");
        Console.WriteLine($"outputs in {dir}: summary.json, claims.json, batch_summary.csv, improvement.csv, batch_sweep_loss.svg, batch_sweep_improvement.svg, batch_sweep.html");
        return 0;
    }
}
