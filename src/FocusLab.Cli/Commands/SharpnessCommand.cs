using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Lab.ModelLoss;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab sharpness`: the directional-sharpness table of Pan &amp; Li on the GPT (fortunes) or the MLP (Fashion-MNIST).</summary>
internal static class SharpnessCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "gpt (byte-level GPT on the fortunes corpus) or mlp (the FOCUS MLP on Fashion-MNIST).", DefaultValueFactory = _ => "gpt" };
        var preset = new Option<string>("--preset") { Description = "full (default: the issue's study, 3 seeds; GPT 4 layers × 128 wide, about 800 CPU-seconds; MLP about 320 CPU-seconds) or quick (1 seed, small GPT with the Gauss–Newton measurement on 2 windows; about 35 CPU-seconds).", DefaultValueFactory = _ => "full" };
        var data = new Option<string?>("--data") { Description = "Text file/folder (gpt) or MNIST-format folder (mlp); default the installed fortunes / Fashion-MNIST." };
        var seeds = new Option<int?>("--seeds") { Description = "Override the preset's number of seeds (seeds 1..N)." };
        var steps = new Option<int?>("--steps") { Description = "Override the preset's training steps (checkpoints are rescaled proportionally)." };
        var trajectories = new Option<string?>("--trajectories") { Description = "Override the training runs as name=spec pairs separated by ';', e.g. \"sgd=sgd:lr=0.1,momentum=0.9;sgd_clip=sgd_clip:lr=0.1\" (training curves of clipped vs unclipped optimizers)." };
        var gaussNewton = new Option<int?>("--gauss-newton-batch") { Description = "Samples of the measurement batch for the Gauss–Newton robust smoothness (Pan & Li appendix D) at every checkpoint, both removal criteria; 0 turns it off. MLP: images (default 32; batch·10·d floats, 218 MB); GPT: token windows predicting their last byte (quick default 2; batch·256·d floats, 240 MB)." };
        var gaussNewtonCandidates = new Option<string?>("--gauss-newton-candidates") { Description = "The authors' factor-norm criterion considers only tensors whose name contains this (GPT default '.attn.', the attention weights; 'all' for every parameter; MLP default all)." };
        var moments = new Option<string>("--moments") { Description = "Pseudo-update moments: trajectory (accumulated over the whole run, as Pan & Li; default) or window (the last --window gradients).", DefaultValueFactory = _ => "trajectory" };
        var window = new Option<int?>("--window") { Description = "With --moments window: gradients per pseudo-update (default 20)." };
        var outDir = new Option<string?>("--out") { Description = "Output directory for JSON, CSV, SVG and HTML (default runs/sharpness-<model>-<preset>)." };
        var format = Tabular.FormatOption();
        var json = new Option<bool>("--json") { Description = "Print the JSON report to stdout." };
        var hessian = new Option<string>("--hessian") { Description = "Hessian-vector products: exact (forward-over-reverse, float32; default), exact64 (same in float64), fd (central differences of float64 gradients, the independent reference).", DefaultValueFactory = _ => "exact" };
        var cmd = new Command("sharpness", "Directional sharpness uᵀHu/‖u‖² of every optimizer's pseudo-update (and its clipped variant) along sgd and adam trajectories (Pan & Li 2023).")
        {
            model, preset, data, seeds, steps, trajectories, gaussNewton, gaussNewtonCandidates, moments, window, outDir, json, hessian, format,
        };
        cmd.SetAction(r =>
        {
            string m = r.GetValue(model)!.Trim().ToLowerInvariant(), p = r.GetValue(preset)!.Trim().ToLowerInvariant();
            var options = SharpnessStudyOptions.Preset(m, p);
            if (r.GetValue(seeds) is { } n)
            {
                if (n < 1) throw new ArgumentException("--seeds must be at least 1.");
                options = options with { Seeds = Enumerable.Range(1, n).ToArray() };
            }
            if (r.GetValue(steps) is { } s)
            {
                if (s < 1) throw new ArgumentException("--steps must be at least 1.");
                var scaled = options.Checkpoints.Select(c => Math.Max(1, (int)Math.Round((double)c * s / options.Steps))).Distinct().ToArray();
                options = options with { Steps = s, Checkpoints = scaled };
            }
            if (r.GetValue(trajectories) is { } t) options = options with { Trajectories = ParseTrajectories(t) };
            options = options with
            {
                Hessian = r.GetValue(hessian)!.Trim().ToLowerInvariant() switch
                {
                    "exact" => HessianMethod.ExactFloat32,
                    "exact64" => HessianMethod.ExactFloat64,
                    "fd" => HessianMethod.FiniteDifferenceFloat64,
                    var h => throw new ArgumentException($"Unknown --hessian '{h}': use exact, exact64 or fd."),
                },
            };
            if (r.GetValue(gaussNewton) is { } gn)
            {
                if (gn < 0) throw new ArgumentException("--gauss-newton-batch must be 0 (off) or a number of samples ≥ 2.");
                options = options with { GaussNewtonBatch = gn };
            }
            if (r.GetValue(gaussNewtonCandidates) is { } candidates)
                options = options with { GaussNewtonCandidates = candidates.Trim() is "all" or "" ? null : candidates.Trim() };
            options = options with
            {
                Moments = r.GetValue(moments)!.Trim().ToLowerInvariant() switch
                {
                    "trajectory" => PseudoUpdateMoments.Trajectory,
                    "window" => PseudoUpdateMoments.Window,
                    var v => throw new ArgumentException($"Unknown --moments '{v}': use trajectory or window."),
                },
            };
            if (r.GetValue(window) is { } w)
            {
                if (options.Moments != PseudoUpdateMoments.Window) throw new ArgumentException("--window only applies with --moments window.");
                options = options with { Window = w };
            }
            options.Validate();
            string outFolder = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("sharpness", $"{m}-{p}"));
            var tableFormat = Tabular.Parse(r.GetValue(format));
            bool quiet = r.GetValue(json);
            Action<string> log = msg => Console.Error.WriteLine($"  {msg}");
            var factory = SharpnessTaskSource.Load(m, options.Gpt, options.Mlp, options.Batch, options.MeasureBatch, r.GetValue(data), log);
            // Finished (seed, trajectory) runs are kept in OUT/sharpness-runs, so an interrupted study continues where it stopped.
            var store = new SharpnessRunStore(outFolder, options);
            if (store.Count > 0) log($"continuing: {store.Count} finished run(s) read back from {Path.Combine(outFolder, SharpnessRunStore.FolderName)}");
            SharpnessReport report;
            try { report = SharpnessStudy.Run(options, factory, log, Interrupt.Token, store); }
            catch (OperationCanceledException) when (Interrupt.Requested)
            {
                int runs = options.Seeds.Length * options.Trajectories.Length;
                Console.Error.WriteLine($"focuslab: interrupted: {store.Count} of {runs} runs are saved in {Path.Combine(outFolder, SharpnessRunStore.FolderName)} (a run cut short trains again from its start).");
                Console.Error.WriteLine($"focuslab: continue with: {Interrupt.ResumeCommand()}");
                return Interrupt.ExitCode;
            }
            var files = SharpnessOutput.Write(report, outFolder);
            OutputFolder.RecordCommand(outFolder);
            if (quiet) Console.WriteLine(SharpnessOutput.ToJson(report));
            else
            {
                var header = new List<string> { "optimizer" };
                foreach (var (name, _) in options.Trajectories) header.AddRange([$"{name}: sharpness", $"{name}: ratio to sgd", $"{name}: best reduction", $"{name}: capped"]);
                Tabular.Write(tableFormat, header, options.Directions.Select(dir =>
                {
                    var cells = new List<string> { dir.Name };
                    foreach (var (name, _) in options.Trajectories)
                    {
                        var row = report.Summary.First(x => x.Trajectory == name && x.Optimizer == dir.Name);
                        cells.AddRange([F(row.MedianSharpness), F(row.MedianRatioToSgd), F(row.MeanBestLossReduction), $"{row.CappedLineSearches}/{row.Count}"]);
                    }
                    return (IReadOnlyList<string>)cells;
                }));
                if (report.Checkpoints.Any(c => c.GaussNewton is not null))
                {
                    Console.WriteLine($"Gauss–Newton robust smoothness (Pan & Li appendix D; batch {options.GaussNewtonBatch}): row norms ‖Ge_i‖ (the paper's text) and factor column norms ‖a_i‖ (the authors' code):");
                    Tabular.Write(tableFormat, ["trajectory", "seed", "step", "‖G‖", "criterion", "removed", "‖G‖ kept", "ratio"],
                        report.Checkpoints.Where(c => c.GaussNewton is not null).SelectMany(c =>
                        {
                            var g = c.GaussNewton!;
                            return new[] { g.RowNorm, g.FactorNorm }.Select(cut => (IReadOnlyList<string>)[c.Trajectory, c.Seed.ToString(CultureInfo.InvariantCulture), c.Step.ToString(CultureInfo.InvariantCulture),
                                F(g.SpectralNorm), $"{(ReferenceEquals(cut, g.RowNorm) ? "‖Ge_i‖" : "‖a_i‖")} ≥ {F(cut.ThresholdFactor)}× mean{(cut.CandidateCount < g.Dimension ? $", {cut.CandidateCount} candidates" : "")}",
                                $"{cut.Removed} ({F(100 * cut.FractionRemoved)}%)", F(cut.ReducedSpectralNorm), F(cut.Ratio)]);
                        }));
                }
            }
            // The verdicts go to stderr with --json so stdout stays one JSON document.
            ClaimLines.Write(report.Claims, toStderr: quiet);
            Console.Error.WriteLine($"  {HumanUnits.Seconds(report.ElapsedSeconds)}; wrote {string.Join(", ", files)}");
            return 0;
        });
        return cmd;
    }

    private static (string Name, string Spec)[] ParseTrajectories(string text)
    {
        var runs = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            int eq = part.IndexOf('=');
            int colon = part.IndexOf(':');
            if (eq <= 0 || (colon >= 0 && colon < eq))
                throw new ArgumentException($"--trajectories: '{part}' is not name=spec (e.g. adam=adam:lr=0.002).");
            return (part[..eq].Trim(), part[(eq + 1)..].Trim());
        }).ToArray();
        if (runs.Length == 0) throw new ArgumentException("--trajectories needs at least one name=spec pair.");
        if (runs.Select(x => x.Item1).Distinct().Count() != runs.Length) throw new ArgumentException("--trajectories: every run needs a distinct name.");
        return runs;
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "n/a";
}
