using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using FocusLab.Cli.Conventions;
using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Valley;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab valley trajectory`: one run per optimizer on the 2-D narrowing valley drawn over the loss
/// (FOCUS fig. 1c). `focuslab valley curves`: mean loss versus step over replicates (fig. 4).
/// Learning rates default to each optimizer's best at that point (mean final loss over replicates,
/// searched over logspace(−3, 0, 20) with the sweep engine).
/// </summary>
internal static class ValleyCommand
{
    private sealed record Common(Option<double> A, Option<double> C, Option<double> Angle, Option<double> Sigma, Option<double> Wd,
        Option<string> Noise, Option<int> Steps, Option<ulong> Seed, Option<string> Lr, Option<string> Optimizers,
        Option<int> SearchReplicates, Option<int> Threads, Option<string?> Out, Option<bool> Json)
    {
        public IEnumerable<Option> All => [A, C, Angle, Sigma, Wd, Noise, Steps, Seed, Lr, Optimizers, SearchReplicates, Threads, Out, Json];
    }

    private static Common MakeOptions(string defaultOut) => new(
        new Option<double>("--a") { Description = "Valley sharpness a.", DefaultValueFactory = _ => 10 },
        new Option<double>("--c") { Description = "Valley slope c.", DefaultValueFactory = _ => 0.1 },
        new Option<double>("--angle") { Description = "Valley rotation in radians.", DefaultValueFactory = _ => NarrowingValley2D.DefaultAngle },
        new Option<double>("--sigma") { Description = "Gradient noise σ.", DefaultValueFactory = _ => 1.0 },
        new Option<double>("--weight-decay") { Description = "Weight decay.", DefaultValueFactory = _ => 0.1 },
        new Option<string>("--noise") { Description = "multiplicative or additive.", DefaultValueFactory = _ => "multiplicative" },
        new Option<int>("--steps") { Description = "Steps per run.", DefaultValueFactory = _ => 1000 },
        new Option<ulong>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 },
        new Option<string>("--lr") { Description = "auto (best mean final loss per optimizer), one number for all, or id=value pairs: adam=0.01,signum=0.003.", DefaultValueFactory = _ => "auto" },
        new Option<string>("--optimizers") { Description = "Comma-separated optimizer specs (as phase --optimizers), e.g. adam,signum,focus:gamma=0.4,s3.", DefaultValueFactory = _ => "adam,signum,focus" },
        new Option<int>("--search-replicates") { Description = "Replicates for --lr auto.", DefaultValueFactory = _ => 50 },
        new Option<int>("--threads") { Description = "Threads for --lr auto.", DefaultValueFactory = _ => Environment.ProcessorCount },
        new Option<string?>("--out") { Description = $"Output folder (default {defaultOut})." },
        new Option<bool>("--json") { Description = "Print a JSON summary to stdout." });

    public static Command Create()
    {
        var valley = new Command("valley", "Single runs on the 2-D narrowing valley: paths (FOCUS fig. 1c) and loss curves (fig. 4).");

        var t = MakeOptions("runs/valley-trajectory");
        var traj = new Command("trajectory", "One run per optimizer drawn over the loss landscape (FOCUS fig. 1c).");
        foreach (var o in t.All) traj.Options.Add(o);
        traj.SetAction(pr => PhaseCommand.Guarded(() => Trajectory(pr, t)));
        valley.Subcommands.Add(traj);

        var c = MakeOptions("runs/valley-curves");
        var reps = new Option<int>("--replicates") { Description = "Replicates averaged per curve.", DefaultValueFactory = _ => 50 };
        var curves = new Command("curves", "Mean loss versus step for each optimizer at its learning rate (FOCUS fig. 4).") { reps };
        foreach (var o in c.All) curves.Options.Add(o);
        curves.SetAction(pr => PhaseCommand.Guarded(() => Curves(pr, c, pr.GetValue(reps))));
        valley.Subcommands.Add(curves);
        return valley;
    }

    private sealed record Setup(NarrowingValley2D Valley, ToyOptimizer[] Optimizers, double[] Lrs, GradientNoise Noise, double Wd, int Steps, ulong Seed, string Subtitle);

    private static Setup Prepare(ParseResult pr, Common o)
    {
        double a = pr.GetValue(o.A), sigma = pr.GetValue(o.Sigma), wd = pr.GetValue(o.Wd);
        int steps = pr.GetValue(o.Steps);
        if (steps < 1) throw new ArgumentException("--steps must be ≥ 1");
        if (!(sigma >= 0)) throw new ArgumentException("--sigma must be ≥ 0");
        if (!(wd >= 0)) throw new ArgumentException("--weight-decay must be ≥ 0");
        var valley = new NarrowingValley2D(a, pr.GetValue(o.C), pr.GetValue(o.Angle));
        var opts = ToyOptimizer.ParseList(pr.GetValue(o.Optimizers)!);
        if (opts.Length == 0) throw new ArgumentException("--optimizers is empty");
        var noise = new GradientNoise(GradientNoise.Parse(pr.GetValue(o.Noise)!), sigma);
        ulong seed = pr.GetValue(o.Seed);
        string lrSpec = pr.GetValue(o.Lr)!;
        double[] lrs;
        if (lrSpec == "auto")
        {
            int reps = pr.GetValue(o.SearchReplicates), threads = pr.GetValue(o.Threads);
            if (reps < 1 || threads < 1) throw new ArgumentException("--search-replicates and --threads must be ≥ 1");
            var grid = new SweepGrid
            {
                Landscape = ValleyKind.Valley2D, Angle = valley.Angle, C = valley.C, Noise = noise.Kind,
                Vary = PhaseAxis.Sharpness, XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd,
                Optimizers = opts, LearningRates = SweepGrid.Logspace(-3, 0, 20), Replicates = reps, Steps = steps, Seed = seed,
            };
            lrs = LearningRateSearch.Best(grid, threads);
        }
        else if (double.TryParse(lrSpec, NumberStyles.Float, CultureInfo.InvariantCulture, out double one)) lrs = opts.Select(_ => one).ToArray();
        else
        {
            var map = lrSpec.Split(',').Select(p => p.Split('=')).ToDictionary(
                p => p.Length == 2 ? p[0].Trim() : throw new ArgumentException($"--lr '{lrSpec}': write auto, a number, or id=value pairs"),
                p => double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"--lr: '{p[1]}' is not a number"));
            lrs = opts.Select(op => map.TryGetValue(op.Id, out double v) ? v : throw new ArgumentException($"--lr gives no learning rate for {op.Id}")).ToArray();
        }
        if (lrs.Any(l => !(l > 0) || !double.IsFinite(l))) throw new ArgumentException("learning rates must be positive");
        var inv = CultureInfo.InvariantCulture;
        string subtitle = $"a={a.ToString("g4", inv)}, σ={sigma.ToString("g4", inv)} ({noise.Kind.ToString().ToLowerInvariant()}), wd={wd.ToString("g4", inv)}, {steps} steps";
        return new Setup(valley, opts, lrs, noise, wd, steps, seed, subtitle);
    }

    private static int Trajectory(ParseResult pr, Common o)
    {
        var s = Prepare(pr, o);
        string dir = OutputFolder.Prepare(pr.GetValue(o.Out) ?? OutputFolder.Default("valley", "trajectory"));
        var runs = s.Optimizers.Select((op, k) => (op.Id, s.Lrs[k], ToyRun.Run(op, s.Valley, s.Lrs[k], s.Wd, s.Noise, s.Seed, 0, s.Steps))).ToList();
        CsvTable.Write(Path.Combine(dir, "trajectory.csv"),
            runs.SelectMany(run => Enumerable.Range(0, run.Item3.X.Length).Select(k => new TrajectoryRow(run.Id, run.Item2, k, run.Item3.X[k], run.Item3.Y[k], run.Item3.Loss[k]))));
        AtomicFile.WriteText(Path.Combine(dir, "trajectory.svg"), ValleyFigures.Trajectories(s.Valley, runs, s.Subtitle));
        var summary = new JsonArray(runs.Select(r => (JsonNode)new JsonObject
        {
            ["optimizer"] = r.Id, ["lr"] = r.Item2, ["final_loss"] = Finite(r.Item3.Loss[^1]),
            ["max_u"] = Finite(r.Item3.X.Zip(r.Item3.Y).Max(p => s.Valley.ToValley(p.First, p.Second).U)),
        }).ToArray());
        Print(pr.GetValue(o.Json), new JsonObject { ["runs"] = summary, ["files"] = new JsonArray("trajectory.svg", "trajectory.csv"), ["out"] = dir });
        return 0;
    }

    private static int Curves(ParseResult pr, Common o, int replicates)
    {
        if (replicates < 1) throw new ArgumentException("--replicates must be ≥ 1");
        var s = Prepare(pr, o);
        string dir = OutputFolder.Prepare(pr.GetValue(o.Out) ?? OutputFolder.Default("valley", "curves"));
        var curves = new List<(string, double, double[])>();
        var rows = new List<LossCurveRow>();
        var summary = new JsonArray();
        for (int k = 0; k < s.Optimizers.Length; k++)
        {
            var mean = new double[s.Steps + 1]; int diverged = 0;
            for (uint r = 0; r < replicates; r++)
            {
                var path = ToyRun.Run(s.Optimizers[k], s.Valley, s.Lrs[k], s.Wd, s.Noise, s.Seed, r, s.Steps);
                if (!double.IsFinite(path.Loss[^1])) { diverged++; continue; } // counted, never averaged in
                for (int t = 0; t <= s.Steps; t++) mean[t] += path.Loss[t];
            }
            int ok = replicates - diverged;
            for (int t = 0; t <= s.Steps; t++) mean[t] = ok > 0 ? mean[t] / ok : double.NaN;
            curves.Add((s.Optimizers[k].Id, s.Lrs[k], mean));
            for (int t = 0; t <= s.Steps; t++) rows.Add(new LossCurveRow(s.Optimizers[k].Id, s.Lrs[k], t, mean[t], diverged));
            summary.Add(new JsonObject { ["optimizer"] = s.Optimizers[k].Id, ["lr"] = s.Lrs[k], ["final_mean_loss"] = Finite(mean[^1]), ["diverged_replicates"] = diverged });
        }
        CsvTable.Write(Path.Combine(dir, "loss_curves.csv"), rows);
        AtomicFile.WriteText(Path.Combine(dir, "loss_curves.svg"), ValleyFigures.LossCurves(curves, s.Subtitle + $", mean of {replicates} replicates"));
        Print(pr.GetValue(o.Json), new JsonObject { ["curves"] = summary, ["files"] = new JsonArray("loss_curves.svg", "loss_curves.csv"), ["out"] = dir });
        return 0;
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static void Print(bool json, JsonObject obj)
    {
        if (json) { Console.WriteLine(obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true })); return; }
        var list = (obj["runs"] ?? obj["curves"])!.AsArray();
        foreach (var r in list)
            Console.WriteLine($"  {r!["optimizer"],-7} lr {r["lr"]!.GetValue<double>().ToString("g3", CultureInfo.InvariantCulture),-8} final loss {(r["final_loss"] ?? r["final_mean_loss"])?.ToJsonString() ?? "diverged"}");
        Console.WriteLine($"outputs in {obj["out"]}");
    }
}
