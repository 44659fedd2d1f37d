using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Engine.Data.Mnist;
using FocusLab.Lab.Studies;
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
        var preset = new Option<string>("--preset") { Description = "quick (batch 2,8,32,128,512 × 5 lrs × 2 replicates × 100 steps) or paper (2^1..2^12 × 20 lrs × 3 replicates × 400 steps).", DefaultValueFactory = _ => "quick" };
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
        var cmd = new Command("batch-sweep", "FOCUS fig. 2c/d: best test loss of adamw, signum and focus vs batch size on Fashion-MNIST; improvement I and crossover batch size.")
        {
            preset, data, outDir, shard, merge, steps, replicates, evalEvery, json, format,
        };
        cmd.SetAction(r =>
        {
            string dir = r.GetValue(outDir) ?? OutputFolder.Default("batch-sweep", r.GetValue(preset)!);
            var tableFormat = Tabular.Parse(r.GetValue(format));
            string command = "focuslab " + string.Join(' ', r.Tokens.Select(t => t.Value));
            if (r.GetValue(merge))
            {
                if (r.GetValue(shard) is not null) throw new ArgumentException("--merge combines all shards; do not pass --shard with it.");
                var (savedGrid, cells) = BatchSweep.Load(dir);
                return Report(dir, savedGrid, cells, command, r.GetValue(json), tableFormat);
            }
            var grid = BatchSweepGrid.FromPreset(r.GetValue(preset)!);
            if (r.GetValue(steps) is { } s) grid = grid with { Steps = s };
            if (r.GetValue(replicates) is { } n) grid = grid with { Replicates = n };
            if (r.GetValue(evalEvery) is { } k) grid = grid with { EvalEvery = k };
            if (grid.EvalEvery < 0) throw new ArgumentException("--eval-every must be ≥ 0.");
            grid.Validate();
            var part = r.GetValue(shard) is { } text ? Shard.Parse(text) : Shard.All;
            OutputFolder.Prepare(dir);
            BatchSweep.PrepareFolder(dir, grid);
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
                    }, Interrupt.Token);
                    if (!Interrupt.Requested) bar.Value = bar.MaxValue;
                });
            if (part.Count > 1 && Interrupt.Requested)
                return Interrupted(dir, CellStore.Merge([Path.Combine(dir, part.FileName)]).Count, grid.Cells().Where((_, i) => part.Owns(i)).Count());
            if (part.Count > 1)
            {
                Console.Error.WriteLine($"Shard {part.Index}/{part.Count} finished ({Path.Combine(dir, part.FileName)}). When every shard is done: focuslab batch-sweep --out {dir} --merge");
                return 0;
            }
            var (g, all) = BatchSweep.Load(dir);
            if (Interrupt.Requested) return Interrupted(dir, all.Count, g.CellCount);
            return Report(dir, g, all, command, r.GetValue(json), tableFormat);
        });
        return cmd;
    }

    /// <summary>After an interrupt: every finished cell is on disk; say so and how to continue.</summary>
    private static int Interrupted(string dir, int done, int total)
    {
        Console.Error.WriteLine($"focuslab: interrupted: {done} of {total} cells are saved in {dir} (an unfinished cell is run again from its start).");
        Console.Error.WriteLine($"focuslab: continue with: {Interrupt.ResumeCommand()}");
        return Interrupt.ExitCode;
    }

    private static int Report(string dir, BatchSweepGrid grid, List<SweepCellResult> cells, string command, bool json, TableFormat format)
    {
        var summary = BatchSweepReport.Write(dir, grid, cells, command);
        if (json) { Console.WriteLine(File.ReadAllText(Path.Combine(dir, "summary.json"))); return 0; }
        var header = new List<string> { "batch" };
        foreach (var o in grid.Optimizers) header.Add($"{o.Label} loss (lr)");
        header.Add("I = (L_adamw − L_signum)/L_adamw ± sd");
        var rows = new List<IReadOnlyList<string>>();
        foreach (int b in grid.BatchSizes)
        {
            var row = new List<string> { b.ToString() };
            foreach (var o in grid.Optimizers)
            {
                var x = summary.Results.Single(q => q.Batch == b && q.Optimizer == o.Label);
                row.Add(string.Create(CultureInfo.InvariantCulture, $"{x.LossMean:F4} ({x.BestLr:G2})"));
            }
            var i = summary.Improvements.Single(q => q.Batch == b);
            row.Add(string.Create(CultureInfo.InvariantCulture, $"{i.I:+0.000;-0.000} ± {i.ReplicateStd:F3}"));
            rows.Add(row);
        }
        Tabular.Write(format, header, rows);
        var c = summary.Crossover;
        Console.WriteLine(c.Batch is { } bb
            ? string.Create(CultureInfo.InvariantCulture, $"crossover batch size ≈ {bb:F0} (between {c.Below} and {c.Above}); {c.Note}")
            : $"no crossover: {c.Note}");
        Console.WriteLine($"outputs in {dir}: summary.json, batch_summary.csv, improvement.csv, batch_sweep_loss.svg, batch_sweep_improvement.svg, batch_sweep.html");
        return 0;
    }
}
