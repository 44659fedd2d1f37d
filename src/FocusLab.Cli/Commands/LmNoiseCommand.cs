using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Engine.Data.Text;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Noise;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab lm-noise`: the LM version of the batch-size crossover — the GPT race at several batch sizes
/// for a fixed number of steps, every optimizer tuned per batch size; I_signum(b), I_focus(b) and the
/// measured gradient noise at each b. Resumable and shardable like lm-race.
/// </summary>
internal static class LmNoiseCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (2-layer 32-wide GPT, batch 1..8, 100 steps, 3 seeds; minutes) or default (2-layer 64-wide, batch 1..32, 300 steps, 3 seeds).", DefaultValueFactory = _ => "quick" };
        preset.AcceptOnlyFromAmong("quick", "default");
        var data = new Option<string?>("--data") { Description = "UTF-8 text file or folder (default /usr/share/games/fortunes)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (run folders, noise/, noise.json, CSV, SVG, HTML, claims.json; default runs/lm-noise-<preset>)." };
        var format = Tabular.FormatOption();
        var batches = new Option<string?>("--batches") { Description = "Batch sizes in sequences, e.g. 1,2,4,8." };
        var steps = new Option<int?>("--steps") { Description = "Override the steps per run." };
        var seeds = new Option<int?>("--seeds") { Description = "Override the number of seeds (1..N)." };
        var extensions = new Option<int?>("--lr-extensions") { Description = "Fair tuning: lr steps added beyond an edge of a grid where the best lr sits (default 2)." };
        var shard = new Option<string?>("--shard") { Description = "Train only shard i of N (\"i/N\"): the (batch, optimizer) pairs p ≡ i (mod N). Defaults to SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set; then --merge." };
        var merge = new Option<bool>("--merge") { Description = "Train nothing: assemble the study from the finished run folders in --out." };
        var cmd = new Command("lm-noise", "Gradient noise vs the sign-based advantage on language modelling: I_signum(b), I_focus(b) against adamw across batch sizes, each tuned per batch size, with the measured gradient noise.")
        {
            preset, data, outDir, batches, steps, seeds, extensions, shard, merge, format,
        };
        cmd.SetAction(r =>
        {
            var config = LmNoiseConfig.FromPreset(r.GetValue(preset)!);
            if (r.GetValue(batches) is { } b)
                config = config with { Batches = b.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1 ? v : throw new ArgumentException($"--batches: '{x}' is not a batch size ≥ 1; give e.g. 1,2,4,8.")).ToArray() };
            if (r.GetValue(steps) is { } s) config = config with { Steps = s };
            if (r.GetValue(seeds) is { } n)
            {
                if (n < 1) throw new ArgumentException("--seeds must be at least 1.");
                config = config with { Seeds = Enumerable.Range(1, n).ToArray() };
            }
            if (r.GetValue(extensions) is { } e) config = config with { MaxLrExtensions = e };
            config.Validate();
            if (r.GetValue(merge) && r.GetValue(shard) is not null) throw new ArgumentException("--merge assembles all shards; do not pass --shard with it.");
            var part = r.GetValue(merge) ? Shard.All : Shard.FromOptionOrEnvironment(r.GetValue(shard));
            string dir = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("lm-noise", r.GetValue(preset)!));
            var tableFormat = Tabular.Parse(r.GetValue(format));
            var corpus = TextCorpus.Load(r.GetValue(data));
            string command = "focuslab " + string.Join(' ', r.Tokens.Select(t => t.Value));
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            LmNoiseResult? result = null;
            List<string> pending = [];
            console.Progress().AutoClear(false).HideCompleted(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var study = new LmNoise(config, corpus, dir)
                    {
                        ProgressFor = name => new SpectreTrainingProgress(ctx.AddTask(Markup.Escape(name))) { Title = name },
                        Shard = part,
                        MergeOnly = r.GetValue(merge),
                    };
                    try { result = study.Run(Interrupt.Token); }
                    catch (OperationCanceledException) when (Interrupt.Requested) { result = null; }
                    pending = study.Pending;
                });
            if (Interrupt.Requested)
            {
                // The run that was training saved a checkpoint at the interrupted step; finished runs hold done.json.
                Console.Error.WriteLine($"focuslab: interrupted; finished runs and a checkpoint of the run in progress are saved under {dir}.");
                Console.Error.WriteLine($"focuslab: continue with: {Interrupt.ResumeCommand()}");
                return Interrupt.ExitCode;
            }
            if (result is null)
            {
                Console.Error.WriteLine($"{pending.Count} items are not done yet (first: {pending[0]}).");
                if (r.GetValue(merge)) throw new InvalidOperationException($"--merge: the study in {dir} is incomplete; run every shard (again) until none reports pending items.");
                Console.Error.WriteLine($"Shard {part.Index}/{part.Count} did its share. Rerun the shards until none is pending, then: focuslab lm-noise --out {dir} --merge (with the same options)");
                return 0;
            }
            var claims = LmNoiseReport.Write(dir, result, command);
            var header = new List<string> { "batch" };
            foreach (var o in config.Optimizers) header.Add($"{o.Label} loss (lr)");
            foreach (var oc in result.Crossovers) header.Add($"I {oc.Optimizer} ± sd");
            header.AddRange(["median std/|mean| (ref)", "tr Cov/‖G‖² (ref)", "B_simple (ref)", "tr Cov/‖G‖² (own run)"]);
            var rows = new List<IReadOnlyList<string>>();
            foreach (int bs in config.Batches.Order())
            {
                var row = new List<string> { bs.ToString(CultureInfo.InvariantCulture) };
                foreach (var o in config.Optimizers)
                {
                    var x = result.Results.Single(q => q.Batch == bs && q.Optimizer == o.Label);
                    row.Add(string.Create(CultureInfo.InvariantCulture, $"{x.LossMean:F4} ({x.BestLr:G2}{(x.AtLowerEdge || x.AtUpperEdge ? ", edge" : "")})"));
                }
                foreach (var oc in result.Crossovers)
                {
                    var i = result.Improvements.Single(q => q.Batch == bs && q.Optimizer == oc.Optimizer);
                    row.Add(string.Create(CultureInfo.InvariantCulture, $"{FocusLab.Lab.Claims.ClaimFormat.Signed(i.I)} ± {i.ReplicateStd:F3}{(i.LargerThanSpread ? " *" : "")}"));
                }
                var nz = result.ReferenceNoise.Single(q => q.Batch == bs);
                row.Add(nz.MedianStdOverMean.ToString("G3", CultureInfo.InvariantCulture));
                row.Add(nz.NoiseToSignal?.ToString("G3", CultureInfo.InvariantCulture) ?? "unresolved");
                row.Add(nz.SimpleNoiseScale?.ToString("G3", CultureInfo.InvariantCulture) ?? "unresolved");
                row.Add(result.Noise.Single(q => q.Batch == bs).NoiseToSignal?.ToString("G3", CultureInfo.InvariantCulture) ?? "unresolved");
                rows.Add(row);
            }
            Tabular.Write(tableFormat, header, rows);
            if (tableFormat != TableFormat.Table) return 0;
            Console.WriteLine($"* = the same sign on every seed (larger than the seed spread); edge = best lr still at an edge of its grid; ref = at adamw's tuned run at batch {config.Batches.Max()}");
            foreach (var oc in result.Crossovers) Console.WriteLine($"{oc.Optimizer}: {BatchSweepReport.CrossoverText(oc.Crossover)}");
            Console.WriteLine(GradientNoise.PooledSimpleNoiseScale(result.ReferenceNoise) is { } pooled
                ? string.Create(CultureInfo.InvariantCulture, $"noise scale B_simple = tr Σ/‖G‖² ≈ {pooled:G3} sequences (pooled over the reference measurements); tr Cov(g_b)/‖G‖² ≈ B_simple/b")
                : "noise scale B_simple: ‖G‖² not resolved at this number of gradients");
            foreach (var c in claims) Console.WriteLine($"{c.Verdict}: {c.Claim} — {c.Reason}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Runs.Count} runs, {result.Runs.Sum(x => x.WallS):F0} s of training, {clock.Elapsed.TotalSeconds:F0} s wall clock in this process"));
            Console.WriteLine($"outputs in {dir}: noise.json, claims.json, batch_summary.csv, improvement.csv, noise.csv, lm_noise_improvement.svg, lm_noise_noise.svg, lm_noise.html");
            return 0;
        });
        return cmd;
    }
}
