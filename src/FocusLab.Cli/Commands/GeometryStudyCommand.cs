using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Lab.Studies.Geometry;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab geometry-study --network mlp|gpt`: which geometry each optimizer exploits (original, coordinate-rotated and matrix-rotated losses).</summary>
internal static class GeometryStudyCommand
{
    public static Command Create()
    {
        var network = new Option<string>("--network") { Description = "The model: mlp (Fashion-MNIST) or gpt (fortunes).", Required = true };
        var preset = new Option<string>("--preset") { Description = "full (default: 3 seeds, MLP 500 steps, GPT 300, under 15 minutes per network on 2 cores) or quick (a fifth of the steps, 2 seeds, a smoke run).", DefaultValueFactory = _ => "full" };
        var losses = new Option<string>("--losses") { Description = "Loss versions: original (L(y)), coordinate (L(Rx), R a rotation of the flat vector, Xie et al.), matrix (W = U·W'·Vᵀ per weight matrix).", DefaultValueFactory = _ => "original,coordinate,matrix" };
        var optimizers = new Option<string?>("--optimizers") { Description = "Comma-separated subset of sgd,adam,signum,focus,muon (default all; muon's other tensors go to adam)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps per run (overrides the preset)." };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per (optimizer, loss, lr) (overrides the preset)." };
        var lrFactors = new Option<string?>("--lr-factors") { Description = "Learning-rate grid as multiples of each optimizer's spec lr (default 0.3,1,3); each (optimizer, loss) keeps its own best." };
        var extensions = new Option<int?>("--lr-extensions") { Description = "How many times the lr grid may be extended past an edge optimum, per side (default 2)." };
        var samples = new Option<int?>("--samples") { Description = "Cauchy probes of the ‖H‖₁,₁ estimator (default 32)." };
        var data = new Option<string?>("--data") { Description = "MNIST-format folder (mlp) or text file/folder (gpt)." };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default runs/geometry-study-<network>)." };
        var json = new Option<bool>("--json") { Description = "Print the JSON report to stdout." };
        var format = Tabular.FormatOption();
        var cmd = new Command("geometry-study", "Which geometry does each optimizer exploit? sgd, adam, signum, focus and muon on the original, coordinate-rotated and matrix-rotated loss.")
        {
            network, preset, losses, optimizers, steps, seeds, lrFactors, extensions, samples, data, outDir, json, format,
        };
        cmd.SetAction(r =>
        {
            string model = r.GetValue(network)!.Trim().ToLowerInvariant();
            var options = GeometryStudyOptions.Preset(model, r.GetValue(preset)!.Trim().ToLowerInvariant());
            var net = options.Network;
            if (r.GetValue(optimizers) is { } names)
            {
                var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToArray();
                foreach (var w in wanted.Where(w => net.Optimizers.All(o => o.Name != w)))
                    throw new ArgumentException($"Unknown optimizer '{w}' in --optimizers: use a subset of {string.Join(",", net.Optimizers.Select(o => o.Name))}.");
                net = net with { Optimizers = net.Optimizers.Where(o => wanted.Contains(o.Name)).ToArray() };
            }
            if (r.GetValue(steps) is { } s) net = net with { Steps = s, Checkpoints = [Math.Max(1, s)] };
            if (r.GetValue(seeds) is { } n) net = net with { Seeds = Enumerable.Range(1, Math.Max(0, n)).ToArray() };
            if (r.GetValue(lrFactors) is { } f) net = net with { LearningRateFactors = ParseList(f) };
            if (r.GetValue(extensions) is { } e) net = net with { MaxLrExtensions = e };
            if (r.GetValue(samples) is { } c) net = net with { EstimatorSamples = c };
            options = options with { Network = net, Losses = GeometryStudyOptions.ParseLosses(r.GetValue(losses)!) };
            options.Validate();
            string dir = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("geometry-study", model));
            return Run(options, r.GetValue(data), dir, "focuslab " + string.Join(' ', r.Tokens.Select(t => t.Value)), r.GetValue(json), Tabular.Parse(r.GetValue(format)));
        });
        return cmd;
    }

    private static int Run(GeometryStudyOptions options, string? data, string dir, string command, bool quiet, TableFormat format)
    {
        var net = options.Network;
        var factory = SharpnessTaskSource.Load(net.Model, net.Gpt, net.Mlp, net.Batch, net.MeasureBatch, data);
        var report = GeometryStudy.Run(options, factory, quiet ? null : msg => Console.Error.WriteLine($"  {msg}"));
        var files = GeometryStudyOutput.Write(report, dir, command);
        OutputFolder.RecordCommand(dir);
        if (quiet)
        {
            Console.WriteLine(GeometryStudyOutput.ToJson(report, GeometryStudyClaims.Check(report, command), command));
            return 0;
        }
        Tabular.Write(format, ["optimizer", "loss", "best lr", "final loss", "± (seeds)", "‖H‖₁,₁/d", "spectral smoothness", "λmax"],
            GeometryStudyOutput.MeasuresRows(report).Select(m => (IReadOnlyList<string>)[m.Optimizer, m.Loss, F(m.BestLr), F(m.FinalLoss), F(m.FinalLossStd), F(m.L11IqrPerD), F(m.SpectralSmoothness), F(m.LambdaMax)]));
        foreach (var c in report.Comparisons)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Verdict}: {c.Optimizer} {(c.Prediction == "unchanged" ? "unchanged by" : "hurt by")} the {c.Rotation} rotation — {c.Original:G4} → {c.Rotated:G4} ({c.MeanDifference + 0.0:+0.0000;-0.0000;+0.0000} ± {c.Spread:F4}, {Math.Round(c.RelativeChangePercent, 1) + 0.0:+0.0;-0.0;+0.0}%)"));
        Console.Error.WriteLine($"  {HumanUnits.Seconds(report.ElapsedSeconds)}; wrote {string.Join(", ", files)}");
        return 0;
    }

    /// <summary>A number to 4 significant digits; "—" where nothing finite was measured.</summary>
    private static string F(double v) => double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "—";

    private static double[] ParseList(string text)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--lr-factors '{text}' is not a comma-separated list of numbers (e.g. 0.3,1,3).");
        }
    }
}
