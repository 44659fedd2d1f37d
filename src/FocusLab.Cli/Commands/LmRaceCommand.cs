using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Engine.Data.Text;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Training;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab lm-race`: FOCUS fig. 3 / S3 table 2 — adamw, signum, focus, s3 and lion (and muon,
/// schedulefree_adamw, sophia, adam_mini) train the GPT on
/// a text corpus, each at its own tuned peak lr; validation curves, speed-up over adamw, wall-clock and
/// loss spikes with the update statistics before them. Resumable (rerun with the same --out).
/// </summary>
internal static class LmRaceCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (2-layer 64-wide GPT, 400 steps, 1 seed, nine entrants; a smoke test) or full (4-layer 128-wide, 2000 steps, 3 seeds, tuning on 2).", DefaultValueFactory = _ => "quick" };
        preset.AcceptOnlyFromAmong("quick", "full");
        var data = new Option<string?>("--data") { Description = "UTF-8 text file or folder (default /usr/share/games/fortunes)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (one sub-folder per run, race.json, CSV, SVG, HTML; default runs/lm-race-<preset>)." };
        var format = Tabular.FormatOption();
        var steps = new Option<int?>("--steps") { Description = "Override the full-run steps." };
        var seeds = new Option<int?>("--seeds") { Description = "Override the number of seeds (1..N)." };
        var optimizers = new Option<string?>("--optimizers") { Description = "Comma-separated entrants among adamw,signum,focus,s3,lion,muon,schedulefree_adamw,sophia,adam_mini (adamw is always included; default: all nine for quick, the first five for full). Entrants added to an existing --out reuse its finished runs." };
        var stability = new Option<bool>("--stability") { Description = "Also run each optimizer at 3× and 10× its tuned lr (spikes, divergence)." };
        var ablation = new Option<bool>("--ablation") { Description = "Also run s3 with each change over adamw undone: no Nesterov, p = 2, separate β, adamw's lr." };
        var json = new Option<bool>("--json") { Description = "Print the comparison table as JSON." };
        var shard = new Option<string?>("--shard") { Description = "Train only shard i of N (\"i/N\"): the tuning of entrants k ≡ i and the later runs j ≡ i (mod N) whose lr is known; rerun each shard until none is pending, then --merge. Defaults to SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set." };
        var merge = new Option<bool>("--merge") { Description = "Train nothing: assemble the race from the finished run folders in --out (after all shards)." };
        var extensions = new Option<int?>("--lr-extensions") { Description = "Fair tuning: lr steps added beyond an edge of an entrant's grid where its best lr sits (default 2; 0 = fixed grid)." };
        var cmd = new Command("lm-race", "FOCUS fig. 3 / S3 table 2: GPT race of adamw, signum, focus, s3, lion (+ muon, schedulefree_adamw, sophia, adam_mini) at tuned lrs; speed-up, wall-clock, loss spikes.")
        {
            preset, data, outDir, steps, seeds, optimizers, stability, ablation, json, format, shard, merge, extensions,
        };
        cmd.SetAction(r =>
        {
            var config = LmRaceConfig.FromPreset(r.GetValue(preset)!);
            if (r.GetValue(steps) is { } s) config = config with { Steps = s };
            if (r.GetValue(seeds) is { } n)
            {
                if (n < 1) throw new ArgumentException("--seeds must be at least 1.");
                config = config with { Seeds = Enumerable.Range(1, n).ToArray(), TuneSeeds = Math.Min(config.TuneSeeds, n) };
            }
            if (r.GetValue(optimizers) is { } list) config = config.WithEntrants(list.Split(','));
            if (r.GetValue(extensions) is { } ext) config = config with { MaxLrExtensions = ext };
            config.Validate();
            if (r.GetValue(merge) && r.GetValue(shard) is not null) throw new ArgumentException("--merge assembles all shards; do not pass --shard with it.");
            var part = r.GetValue(merge) ? Shard.All : Shard.FromOptionOrEnvironment(r.GetValue(shard));
            if (r.GetValue(ablation) && config.Optimizers.All(o => o.Label != "s3")) throw new ArgumentException("--ablation needs s3 among --optimizers.");
            string dir = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("lm-race", r.GetValue(preset)!));
            var corpus = TextCorpus.Load(r.GetValue(data));
            string command = "focuslab " + string.Join(' ', r.Tokens.Select(t => t.Value));

            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            LmRaceResult? result = null;
            List<string> pending = [];
            console.Progress().AutoClear(false).HideCompleted(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var race = new LmRace(config, corpus, dir)
                    {
                        Stability = r.GetValue(stability),
                        Ablation = r.GetValue(ablation),
                        ProgressFor = name => new SpectreTrainingProgress(ctx.AddTask(Markup.Escape(name))) { Title = name },
                        Shard = part,
                        MergeOnly = r.GetValue(merge),
                    };
                    try { result = race.Run(Interrupt.Token); }
                    catch (OperationCanceledException) when (Interrupt.Requested) { result = null; }
                    pending = race.Pending;
                });
            if (Interrupt.Requested)
            {
                // The run that was training saved a checkpoint at the interrupted step (Trainer); finished runs hold done.json.
                Console.Error.WriteLine($"focuslab: interrupted; finished runs and a checkpoint of the run in progress are saved under {dir}.");
                Console.Error.WriteLine($"focuslab: continue with: {Interrupt.ResumeCommand()}");
                return Interrupt.ExitCode;
            }
            if (result is null)
            {
                Console.Error.WriteLine($"{pending.Count} runs are not done yet (first: {pending[0]}).");
                if (r.GetValue(merge)) throw new InvalidOperationException($"--merge: the race in {dir} is incomplete; run every shard (again) until none reports pending runs.");
                Console.Error.WriteLine($"Shard {part.Index}/{part.Count} did its share. Rerun the shards until none is pending, then: focuslab lm-race --out {dir} --merge (with the same options)");
                return 0;
            }
            LmRaceReport.Write(dir, result, command);
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(result.Comparisons)); return 0; }
            var tableFormat = Tabular.Parse(r.GetValue(format));
            Tabular.Write(tableFormat, ["optimizer", "seed", "peak lr", "final val loss", "steps to adamw's final", "speed-up", "wall", "spikes"],
                result.Comparisons.Select(c =>
                {
                    var lr = result.Summary.Single(t => t.Optimizer == c.Optimizer).Lr;
                    return (IReadOnlyList<string>)[c.Optimizer, c.Seed.ToString(), lr.ToString("G3", CultureInfo.InvariantCulture),
                        c.Diverged ? "diverged" : c.FinalValLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "",
                        c.Steps?.ToString() ?? "not reached", c.Speedup is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) + "×" : "–",
                        HumanUnits.Seconds(c.WallS), c.Spikes.ToString()];
                }));
            Console.WriteLine();
            Tabular.Write(tableFormat, ["optimizer", "lr", "seeds", "final val loss", "L_adamw − L", "speed-up (reached)"],
                result.Summary.Select(x => (IReadOnlyList<string>)[x.Optimizer, x.Lr.ToString("G3", CultureInfo.InvariantCulture) + (x.EdgeLr ? " (edge)" : ""), x.Seeds.ToString(),
                    string.Create(CultureInfo.InvariantCulture, $"{x.FinalMean:F4} ± {x.FinalStd:F4}"),
                    x.DiffVsAdamw is { } d ? string.Create(CultureInfo.InvariantCulture, $"{FocusLab.Lab.Claims.ClaimFormat.Signed(d, 4)} ± {x.DiffStd:F4}{(x.LargerThanSpread ? " *" : "")}") : "–",
                    x.SpeedupMean is { } sp ? string.Create(CultureInfo.InvariantCulture, $"{sp:F2} ± {x.SpeedupStd:F2} ({x.Reached}/{x.Seeds})") : $"– (0/{x.Seeds})"]));
            if (tableFormat == TableFormat.Table) Console.WriteLine("* = the same sign on every seed (larger than the seed spread)");
            Console.WriteLine($"outputs in {dir}: race.json, summary.csv, claims.json, runs.csv, tuning.csv, spikes.csv, val_curves.svg, train_loss.svg, lm_race.html");
            return 0;
        });
        return cmd;
    }
}
