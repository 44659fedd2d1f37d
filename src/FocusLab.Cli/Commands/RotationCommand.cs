using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Lab.Rotations;
using FocusLab.Lab.Studies.Rotation;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab rotation --quadratic | --network mlp|gpt`: the rotation studies of Xie et al. (adam vs adasgd vs sgd as the loss is rotated).</summary>
internal static class RotationCommand
{
    public static Command Create()
    {
        var quadratic = new Option<bool>("--quadratic") { Description = "Run the quadratic study (fixed diagonal spectrum rotated by R = exp(sK))." };
        var dim = new Option<int>("--dim") { Description = "Dimension d.", DefaultValueFactory = _ => 100 };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps per run.", DefaultValueFactory = _ => 200 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per setting (rotation and start point).", DefaultValueFactory = _ => 3 };
        var scales = new Option<string>("--scales") { Description = "Comma-separated rotation scales s (a Haar-random rotation is added).", DefaultValueFactory = _ => "0,0.01,0.03,0.1,0.3,1" };
        var optimizers = new Option<string>("--optimizers") { Description = "Comma-separated optimizer ids (lr comes from the grid).", DefaultValueFactory = _ => "adam,adasgd,sgd" };
        var lrs = new Option<string>("--lrs") { Description = "Learning-rate grid as lo:hi:n (log10 exponents, n points).", DefaultValueFactory = _ => "-4:0.5:19" };
        var spectrum = new Option<string>("--spectrum") { Description = "Eigenvalues logspace max:min.", DefaultValueFactory = _ => "1:1e-3" };
        var samples = new Option<int>("--samples") { Description = "Cauchy probes of the ‖H‖₁,₁ estimator.", DefaultValueFactory = _ => 400 };
        var outDir = new Option<string?>("--out") { Description = "Output directory for JSON, CSV, SVG and HTML (default runs/rotation-quadratic or runs/rotation-<network>)." };
        var format = Tabular.FormatOption();
        var json = new Option<bool>("--json") { Description = "Print the JSON report to stdout." };
        var network = new Option<string?>("--network") { Description = "Run the network study on mlp (Fashion-MNIST) or gpt (fortunes): each optimizer on L(y) and on L(Rx) with a tensor-product rotation R, warm-up + cosine, clipping 1, each at its best lr of a grid extended until that lr is interior, 3 seeds. --steps, --seeds and --samples override the preset (full: MLP 1000 steps, GPT 400; quick: a quarter; 32 Cauchy probes)." };
        var preset = new Option<string>("--preset") { Description = "Network study: full (default) or quick (a quarter of the steps).", DefaultValueFactory = _ => "full" };
        var schedule = new Option<string?>("--schedule") { Description = "Network study: cosine (linear warm-up over 5% of the steps, cosine to 0.1× the peak; default, the paper's) or constant." };
        var clip = new Option<double?>("--clip") { Description = "Network study: global-norm gradient clipping threshold (default 1, the paper's); 0 turns it off." };
        var extensions = new Option<int?>("--lr-extensions") { Description = "Network study: how many times the lr grid may be extended past an edge optimum, per side (default 3)." };
        var rounds = new Option<int>("--rounds") { Description = "Network study: rounds k of permute → reshape (a, b, c) → rotate each axis.", DefaultValueFactory = _ => 3 };
        var data = new Option<string?>("--data") { Description = "Network study: MNIST-format folder (mlp) or text file/folder (gpt)." };
        var lrFactors = new Option<string?>("--lr-factors") { Description = "Network study: learning-rate grid as comma-separated multiples of each optimizer's default lr (default 0.3,1,3); each optimizer keeps its best lr on each loss (original, rotated)." };
        var cmd = new Command("rotation", "Rotation studies of Xie et al.: adam slows down when the loss is rotated, sgd does not.")
        {
            quadratic, dim, steps, seeds, scales, optimizers, lrs, spectrum, samples, outDir, json, network, rounds, data, lrFactors, preset, schedule, clip, extensions, format,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(network) is { } net)
            {
                if (r.GetValue(quadratic)) throw new ArgumentException("Choose one study: --quadratic or --network, not both.");
                bool Given(Option o) => r.GetResult(o) is { Implicit: false };
                var networkOptions = NetworkRotationOptions.Preset(net.Trim().ToLowerInvariant(), r.GetValue(preset)!.Trim().ToLowerInvariant()) with { Rounds = r.GetValue(rounds) };
                if (r.GetValue(schedule) is { } sched)
                    networkOptions = networkOptions with
                    {
                        Schedule = sched.Trim().ToLowerInvariant() switch
                        {
                            "cosine" => RotationSchedule.WarmupCosine,
                            "constant" => RotationSchedule.Constant,
                            var v => throw new ArgumentException($"Unknown --schedule '{v}': use cosine or constant."),
                        },
                    };
                if (r.GetValue(clip) is { } c) networkOptions = networkOptions with { ClipNorm = c };
                if (r.GetValue(extensions) is { } e) networkOptions = networkOptions with { MaxLrExtensions = e };
                if (Given(steps)) networkOptions = networkOptions with { Steps = r.GetValue(steps), Checkpoints = [r.GetValue(steps)] };
                if (Given(seeds)) networkOptions = networkOptions with { Seeds = Enumerable.Range(1, Math.Max(0, r.GetValue(seeds))).ToArray() };
                if (Given(samples)) networkOptions = networkOptions with { EstimatorSamples = r.GetValue(samples) };
                if (Given(lrs)) throw new ArgumentException("--lrs is the quadratic study's absolute grid; for --network give multiples of each optimizer's lr with --lr-factors (e.g. 0.3,1,3).");
                if (r.GetValue(lrFactors) is { } factors) networkOptions = networkOptions with { LearningRateFactors = ParseList(factors, "--lr-factors") };
                networkOptions.Validate();
                string netDir = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("rotation", networkOptions.Model));
                return RunNetwork(networkOptions, r.GetValue(data), netDir, r.GetValue(json), Tabular.Parse(r.GetValue(format)));
            }
            if (!r.GetValue(quadratic))
                throw new ArgumentException("Choose a study: --quadratic or --network mlp|gpt.");
            var (lo, hi, n) = ParseGrid(r.GetValue(lrs)!);
            var (max, min) = ParseSpectrum(r.GetValue(spectrum)!);
            int seedCount = r.GetValue(seeds);
            if (seedCount < 1) throw new ArgumentException("--seeds must be at least 1.");
            var options = new QuadraticRotationOptions
            {
                Dimension = r.GetValue(dim),
                Steps = r.GetValue(steps),
                Seeds = Enumerable.Range(0, seedCount).ToArray(),
                Scales = ParseList(r.GetValue(scales)!, "--scales"),
                Optimizers = r.GetValue(optimizers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                LearningRates = Enumerable.Range(0, n).Select(i => Math.Pow(10, n == 1 ? lo : lo + (hi - lo) * i / (n - 1))).ToArray(),
                MaxEigenvalue = max,
                MinEigenvalue = min,
                EstimatorSamples = r.GetValue(samples),
            };
            bool quiet = r.GetValue(json);
            string dir = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("rotation", "quadratic"));
            var report = QuadraticRotationStudy.Run(options, quiet ? null : msg => Console.Error.WriteLine($"  {msg}"));
            var files = QuadraticRotationOutput.Write(report, dir);
            OutputFolder.RecordCommand(dir);
            if (quiet) { Console.WriteLine(QuadraticRotationOutput.ToJson(report)); return 0; }

            var header = new List<string> { "rotation", "‖H‖₁,₁/d", "IQR est.", "median est.", "‖H‖₂ (Lanczos)" };
            foreach (var o in options.Optimizers) header.AddRange([$"{o} lr", $"{o} final loss"]);
            Tabular.Write(Tabular.Parse(r.GetValue(format)), header, report.Rows.Select(row =>
            {
                var cells = new List<string> { row.Rotation, F(row.L11PerDimension), F(row.L11IqrEstimatePerDimension), F(row.L11MedianEstimatePerDimension), F(row.SpectralNormLanczos) };
                foreach (var o in row.Outcomes) { cells.Add(F(o.BestLearningRate)); cells.Add(F(o.FinalLoss)); }
                return (IReadOnlyList<string>)cells;
            }));
            ClaimLines.Write(report.Claims, toStderr: false);
            Console.WriteLine($"{HumanUnits.Seconds(report.ElapsedSeconds)}; wrote {string.Join(", ", files)}");
            return 0;
        });
        return cmd;
    }

    private static int RunNetwork(NetworkRotationOptions options, string? data, string outDir, bool quiet, TableFormat format)
    {
        Action<string> log = msg => Console.Error.WriteLine($"  {msg}");
        var factory = SharpnessTaskSource.Load(options.Model, options.Gpt, options.Mlp, options.Batch, options.MeasureBatch, data);
        var report = NetworkRotationStudy.Run(options, factory, log);
        var files = NetworkRotationOutput.Write(report, outDir);
        OutputFolder.RecordCommand(outDir);
        if (quiet) Console.WriteLine(NetworkRotationOutput.ToJson(report));
        else
        {
            Tabular.Write(format, ["optimizer", "loss", "seed", "best lr", "final loss", "‖H‖₁,₁/d (IQR)", "‖H‖₁,₁/d (median)"], report.BestRuns.Select(run =>
            {
                var c = run.Checkpoints.LastOrDefault();
                return (IReadOnlyList<string>)[run.Optimizer, run.Rotated ? "rotated" : "original", run.Seed.ToString(CultureInfo.InvariantCulture), F(run.LearningRate), F(run.FinalLoss),
                    c is null ? "" : F(c.L11IqrPerDimension), c is null ? "" : F(c.L11MedianPerDimension)];
            }));
            foreach (var g in report.LearningRates ?? [])
                Console.Error.WriteLine($"  {g.Optimizer} on the {(g.Rotated ? "rotated" : "original")} loss, mean final loss per lr: " +
                    string.Join(", ", g.LearningRates.Select((lr, i) => $"{F(lr)} → {F(g.MeanFinalLoss[i])} ± {F(g.StdFinalLoss?[i] ?? double.NaN)}")) +
                    $"; best {F(g.BestLearningRate)}" + (g.Extensions > 0 ? $" ({g.Extensions} extension(s))" : "") + (g.AtEdge ? "; STILL AT AN EDGE" : ""));
        }
        ClaimLines.Write(report.Claims, toStderr: true);
        Console.Error.WriteLine($"  {HumanUnits.Seconds(report.ElapsedSeconds)}; wrote {string.Join(", ", files)}");
        return 0;
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "diverged";

    private static double[] ParseList(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option} '{text}' is not a comma-separated list of numbers (e.g. 0,0.1,1).");
        }
    }

    private static (double Lo, double Hi, int N) ParseGrid(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi)
            || !int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1 || hi < lo)
            throw new ArgumentException($"--lrs '{text}' must be lo:hi:n with log10 exponents lo ≤ hi and n ≥ 1 points (e.g. -4:0.5:19).");
        return (lo, hi, n);
    }

    private static (double Max, double Min) ParseSpectrum(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double max)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double min))
            throw new ArgumentException($"--spectrum '{text}' must be max:min (e.g. 1:1e-3).");
        return (max, min);
    }
}
