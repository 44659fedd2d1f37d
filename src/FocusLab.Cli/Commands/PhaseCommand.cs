using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.Json;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Phase;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab phase`: the FOCUS phase diagrams (fig. 2a/2b, fig. 6) — which of adam, signum and focus
/// reaches the lowest loss on the narrowing valley for each sharpness (or weight decay) and noise level.
/// `focuslab phase merge DIR` combines shard files into the outputs of one unsharded run.
/// </summary>
internal static class PhaseCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var landscape = new Option<string>("--landscape") { Description = "valley2d, or valleynd (the n-dimensional valley of the paper's figure 6).", DefaultValueFactory = _ => "valley2d" };
        landscape.AcceptOnlyFromAmong("valley2d", "valleynd");
        var angle = new Option<double?>("--angle") { Description = "Rotation of the valley in radians. valley2d: default π/6. valleynd: default a random rotation of the frame; a number tilts the valley axis by that angle (0 = the unrotated panel of figure 6)." };
        var dim = new Option<int?>("--dim") { Description = "Number of parameters of valleynd (default 100)." };
        var vary = new Option<string>("--vary") { Description = "x axis: sharpness (a = logspace(−1, 3), wd fixed) or weight-decay (wd = linspace(0, 0.5), a fixed).", DefaultValueFactory = _ => "sharpness" };
        vary.AcceptOnlyFromAmong("sharpness", "weight-decay");
        var preset = new Option<string>("--preset") { Description = "quick: reduced grid (seconds); paper: 96 × 100 pixels, 20 lrs, 50 replicates, 1000 steps.", DefaultValueFactory = _ => "quick" };
        preset.AcceptOnlyFromAmong(PhasePresets.Names);
        var xPoints = new Option<int?>("--x-points") { Description = "Number of x values." };
        var xMin = new Option<double?>("--x-min") { Description = "Smallest x value (a or wd)." };
        var xMax = new Option<double?>("--x-max") { Description = "Largest x value (a or wd)." };
        var sigmaPoints = new Option<int?>("--sigma-points") { Description = "Number of noise levels σ." };
        var sigmaMax = new Option<double?>("--sigma-max") { Description = "Largest σ (σ = linspace(0, max); default 3)." };
        var lrPoints = new Option<int?>("--lr-points") { Description = "Number of learning rates (log-spaced)." };
        var lrMin = new Option<double?>("--lr-min") { Description = "Smallest learning rate (default 1e-3)." };
        var lrMax = new Option<double?>("--lr-max") { Description = "Largest learning rate (default 1)." };
        var replicates = new Option<int?>("--replicates") { Description = "Replicates per pixel and learning rate." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps per run." };
        var optimizers = new Option<string?>("--optimizers") { Description = "Comma-separated optimizer specs of the factory, e.g. adam,signum,focus,focus:gamma=0.4,s3,lion (adam, signum and focus carry the paper's toy settings; lr and weight_decay come from the grid). A name=value after a comma continues the spec before it (focus:gamma=0.4,beta2=0.99). Any factory id; normalized_sgd, adasgd, blockwise_adam, adam_mini and adafactor take the run's θ as their one group (tensor, block), muon as one 1×d matrix (aux= is refused); adafactor's default relative step ignores the lr grid (use relative_step=false to sweep its lr); clip_fraction=k (top-k clipping, τ per run) clips the gradient of non-adaptive optimizers (sgd, sgd_clip, signum, focus, lion, s3, normalized_sgd…) and the first moment's gradient of adaptive ones (adam, adam_clip, adamw, adasgd, blockwise_adam, adam_mini, adafactor)." };
        var fixedA = new Option<double?>("--a") { Description = "Sharpness a when varying weight decay (default 10)." };
        var fixedWd = new Option<double?>("--weight-decay") { Description = "Weight decay when varying sharpness (default 0.1)." };
        var c = new Option<double?>("--c") { Description = "Slope c of the valley (default 0.1)." };
        var noise = new Option<string>("--noise") { Description = "Gradient noise: multiplicative N(1, σ) per coordinate (the paper) or additive N(0, σ²).", DefaultValueFactory = _ => "multiplicative" };
        noise.AcceptOnlyFromAmong("multiplicative", "additive");
        var seed = new Option<ulong>("--seed") { Description = "Random seed (noise and initial points).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Worker threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be ≥ 1"); });
        var shard = new Option<string?>("--shard") { Description = "Compute only shard i of N (\"i/N\", 0 ≤ i < N) into OUT/shards/; combine with `focuslab phase merge OUT`. Defaults to SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/phase-<vary>-<preset>)." };
        var json = new Option<bool>("--json") { Description = "Print the summary JSON to stdout (progress goes to stderr)." };

        var cmd = new Command("phase", "Phase diagram of optimizers on the narrowing valley (FOCUS fig. 2): by default adam vs signum vs focus, or any optimizer spec whose step is one update rule over the run (--optimizers).")
        {
            landscape, angle, dim, vary, preset, xPoints, xMin, xMax, sigmaPoints, sigmaMax, lrPoints, lrMin, lrMax,
            replicates, steps, optimizers, fixedA, fixedWd, c, noise, seed, threads, shard, outDir, json,
        };
        cmd.SetAction(pr => Guarded(() =>
        {
            var kind = pr.GetValue(landscape) == "valleynd" ? ValleyKind.ValleyND : ValleyKind.Valley2D;
            var axis = pr.GetValue(vary) == "weight-decay" ? PhaseAxis.WeightDecay : PhaseAxis.Sharpness;
            string presetName = pr.GetValue(preset)!;
            var g = PhasePresets.Build(presetName, axis, kind);
            if (kind == ValleyKind.Valley2D && pr.GetValue(dim) is not null) throw new ArgumentException("--dim applies to --landscape valleynd only");
            int nx = pr.GetValue(xPoints) ?? g.NX;
            double x0 = pr.GetValue(xMin) ?? g.XValues[0], x1 = pr.GetValue(xMax) ?? g.XValues[^1];
            if (nx < 1) throw new ArgumentException("--x-points must be ≥ 1");
            if (axis == PhaseAxis.Sharpness && !(x0 > 0 && x1 >= x0)) throw new ArgumentException("sharpness range needs 0 < --x-min ≤ --x-max");
            if (axis == PhaseAxis.WeightDecay && !(x0 >= 0 && x1 >= x0)) throw new ArgumentException("weight-decay range needs 0 ≤ --x-min ≤ --x-max");
            int ny = pr.GetValue(sigmaPoints) ?? g.NY, nl = pr.GetValue(lrPoints) ?? g.NLr;
            double sMax = pr.GetValue(sigmaMax) ?? g.SigmaValues[^1];
            double l0 = pr.GetValue(lrMin) ?? g.LearningRates.Min(), l1 = pr.GetValue(lrMax) ?? g.LearningRates.Max();
            if (ny < 1 || nl < 1) throw new ArgumentException("--sigma-points and --lr-points must be ≥ 1");
            if (!(sMax >= 0)) throw new ArgumentException("--sigma-max must be ≥ 0");
            if (!(l0 > 0 && l1 >= l0)) throw new ArgumentException("learning rates need 0 < --lr-min ≤ --lr-max");
            g = g with
            {
                Dimension = kind == ValleyKind.ValleyND ? pr.GetValue(dim) ?? g.Dimension : 2,
                Angle = pr.GetValue(angle) ?? g.Angle,
                XValues = axis == PhaseAxis.Sharpness ? SweepGrid.Logspace(Math.Log10(x0), Math.Log10(x1), nx) : SweepGrid.Linspace(x0, x1, nx),
                SigmaValues = SweepGrid.Linspace(0, sMax, ny),
                LearningRates = SweepGrid.Logspace(Math.Log10(l0), Math.Log10(l1), nl),
                Replicates = pr.GetValue(replicates) ?? g.Replicates,
                Steps = pr.GetValue(steps) ?? g.Steps,
                Optimizers = pr.GetValue(optimizers) is { } list ? ToyOptimizer.ParseList(list) : g.Optimizers,
                FixedA = pr.GetValue(fixedA) ?? g.FixedA,
                FixedWeightDecay = pr.GetValue(fixedWd) ?? g.FixedWeightDecay,
                C = pr.GetValue(c) ?? g.C,
                Noise = GradientNoise.Parse(pr.GetValue(noise)!),
                Seed = pr.GetValue(seed),
            };
            g.Validate();
            var (si, sn) = ParseShard(pr.GetValue(shard));
            string dir = OutputFolder.Prepare(pr.GetValue(outDir) ?? OutputFolder.Default("phase", $"{pr.GetValue(vary)}-{presetName}"));
            return RunPhase(g, new SweepOptions { Threads = pr.GetValue(threads), ShardIndex = si, ShardCount = sn }, dir, pr.GetValue(json));
        }));

        var mergeDir = new Argument<string>("dir") { Description = "Folder given as --out to the shard runs (reads DIR/shards/*.bin, writes the outputs to DIR)." };
        var mergeJson = new Option<bool>("--json") { Description = "Print the summary JSON to stdout." };
        var merge = new Command("merge", "Combine the shard files of a sharded `focuslab phase` run into the same outputs as one unsharded run.") { mergeDir, mergeJson };
        merge.SetAction(pr => Guarded(() => Merge(pr.GetValue(mergeDir)!, pr.GetValue(mergeJson))));
        cmd.Subcommands.Add(merge);
        return cmd;
    }

    /// <summary>An interrupt (Ctrl-C, SIGTERM) becomes a message and exit code 130; other failures go to the common handler in Program.</summary>
    internal static int Guarded(Func<int> body)
    {
        try { return body(); }
        catch (OperationCanceledException) when (Interrupt.Requested)
        {
            Console.Error.WriteLine("focuslab: interrupted; this run (or shard) was not written: its files are only ever renamed into place complete. " +
                "Shard files already in OUT/shards are complete and kept; rerun the same command to compute what is missing: " + Interrupt.ResumeCommand());
            return Interrupt.ExitCode;
        }
    }

    /// <summary>"i/N" from --shard, else SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, else 0/1.</summary>
    internal static (int Index, int Count) ParseShard(string? spec)
    {
        if (spec is null)
        {
            string? id = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), count = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_COUNT");
            if (id is null) return (0, 1);
            if (count is null || !int.TryParse(id, out int i) || !int.TryParse(count, out int n))
                throw new ArgumentException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is missing or not a number; pass --shard i/N explicitly");
            int min = int.TryParse(Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_MIN"), out int m) ? m : 0;
            spec = $"{i - min}/{n}";
        }
        var parts = spec.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int idx) || !int.TryParse(parts[1], out int cnt) || cnt < 1 || idx < 0 || idx >= cnt)
            throw new ArgumentException($"--shard '{spec}' is invalid: write i/N with 0 ≤ i < N, e.g. --shard 0/4");
        return (idx, cnt);
    }

    private static int RunPhase(SweepGrid g, SweepOptions options, string dir, bool json)
    {
        bool sharded = options.ShardCount > 1;
        string shardPath = Path.Combine(dir, "shards", ShardFile.FileName(options.ShardIndex, options.ShardCount));
        if (sharded && File.Exists(shardPath))
        {
            try
            {
                var existing = ShardFile.Read(shardPath);
                if (JsonSerializer.Serialize(existing.Grid, ShardFile.Json) == JsonSerializer.Serialize(g, ShardFile.Json))
                {
                    Console.Error.WriteLine($"shard {options.ShardIndex}/{options.ShardCount} already complete in {shardPath}; nothing to do");
                    return ReportShard(existing, shardPath, 0, json);
                }
                Console.Error.WriteLine($"{shardPath} holds a different grid; recomputing it");
            }
            catch (InvalidDataException e) { Console.Error.WriteLine($"{e.Message}; recomputing it"); }
        }
        string label = $"phase {(g.Landscape == ValleyKind.Valley2D ? "valley2d" : "valleynd")} {g.XName} × σ {g.NX}×{g.NY}" + (sharded ? $" shard {options.ShardIndex}/{options.ShardCount}" : "");
        Console.Error.WriteLine($"{label}: {HumanUnits.Count((double)g.TotalSteps / options.ShardCount)} optimizer steps on {options.Threads} thread(s)");
        // Ctrl-C / SIGTERM: the workers stop at the next lane block and nothing is written for this run
        // (files are only ever renamed into place complete); Guarded turns that into exit code 130.
        var (result, wall) = SweepProgress.Run(g, options, label, Interrupt.Token);
        if (sharded)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(shardPath)!);
            ShardFile.Write(shardPath, result);
            return ReportShard(result, shardPath, wall, json);
        }
        return Report(result, dir, wall, json);
    }

    private static int ReportShard(SweepResult r, string path, double wall, bool json)
    {
        int done = Enumerable.Range(0, r.ShardCount).Count(i => File.Exists(Path.Combine(Path.GetDirectoryName(path)!, ShardFile.FileName(i, r.ShardCount))));
        var obj = new JsonObject
        {
            ["wall_seconds"] = Math.Round(wall, 3),
            ["steps_total"] = (long)r.Steps,
            ["shard"] = $"{r.ShardIndex}/{r.ShardCount}",
            ["file"] = path,
            ["shards_done"] = done,
            ["diverged_runs"] = r.DivergedRuns,
        };
        if (json) Console.WriteLine(obj.ToJsonString(Indented));
        else Console.WriteLine($"wrote {path} ({HumanUnits.Count(r.Steps)} steps in {HumanUnits.Seconds(wall)}); {done}/{r.ShardCount} shards present" +
            (done == r.ShardCount ? $" — run `focuslab phase merge {Path.GetDirectoryName(Path.GetDirectoryName(path))}`" : ""));
        return 0;
    }

    private static int Merge(string dir, bool json)
    {
        var sw = Stopwatch.StartNew();
        string shardDir = Path.Combine(dir, "shards");
        if (!Directory.Exists(shardDir)) throw new ArgumentException($"{shardDir} does not exist; run `focuslab phase --shard i/N --out {dir}` first");
        var files = Directory.GetFiles(shardDir, "shard-*.bin").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new ArgumentException($"no shard files in {shardDir}");
        var merged = ShardFile.Merge(files.Select(ShardFile.Read).ToList());
        return Report(merged, dir, sw.Elapsed.TotalSeconds, json);
    }

    private static int Report(SweepResult r, string dir, double wall, bool json)
    {
        var sw = Stopwatch.StartNew();
        var scores = new PhaseScores(r);
        var files = PhaseReport.Write(dir, r, scores, wall);
        // The command that produced the figures, for `focuslab report`.
        OutputFolder.RecordCommand(dir);
        // FOCUS fig. 2a/2b's claims, judged on these scores, for the ledger (`focuslab claims`).
        FocusLab.Lab.Claims.ClaimFile.Write(dir, "phase", FocusLab.Lab.Claims.PhaseClaims.Check(scores, OutputFolder.CommandLine()));
        Console.Error.WriteLine($"scored and wrote {files.Count} files to {dir} in {HumanUnits.Seconds(sw.Elapsed.TotalSeconds)}");
        if (json) { Console.WriteLine(PhaseSummary.Build(scores, wall).ToJsonString(Indented)); return 0; }
        var g = r.Grid;
        Console.WriteLine($"{HumanUnits.Count(g.TotalSteps)} optimizer steps in {HumanUnits.Seconds(wall)} ({HumanUnits.Count(g.TotalSteps / wall)} steps/s); diverged runs: {scores.DivergedRuns}");
        foreach (var o in g.Optimizers)
            Console.WriteLine($"  {o.Id,-7} wins {scores.Winner.Count(w => w >= 0 && g.Optimizers[w] == o) * 100.0 / scores.Winner.Length,5:0.0}% of pixels");
        foreach (var o in g.Optimizers.Where(o => o.IgnoresLearningRate))
            Console.WriteLine($"note: {o.Id}: relative step ignores the learning-rate grid (every lr column is the same run; its best lr is the grid's first)");
        Console.WriteLine($"outputs in {dir}: {string.Join(", ", files.Where(f => f.EndsWith(".svg") || f.EndsWith(".html") || f.EndsWith(".json")).Take(4))}, ... ({files.Count} files); open {Path.Combine(dir, "index.html")}");
        return 0;
    }
}
