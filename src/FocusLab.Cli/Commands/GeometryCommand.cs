using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Lab.Studies.Curvature;
using FocusLab.Lab.Training;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab geometry`: the loss geometry of a model trained by `focuslab train` — loss, gradient norm,
/// sharpness along the gradient, extreme Hessian eigenvalues (Lanczos), trace (Hutchinson), ‖H‖₁,₁/d
/// (Cauchy probes) and 1-D / 2-D loss slices — on a fixed batch, written as JSON, CSV, .npy and SVG.
/// </summary>
internal static class GeometryCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "The --out folder of a `focuslab train` run (or its checkpoint.bin).", Required = true };
        var data = new Option<string?>("--data") { Description = "The data the model was trained on (default: Fashion-MNIST for mlp, the fortunes corpus for gpt)." };
        var batch = new Option<int?>("--batch") { Description = $"Samples (mlp, default {MeasurementBatch.DefaultMlpBatch}) or sequences (gpt, default {MeasurementBatch.DefaultGptBatch}) in the measurement batch, drawn from the training split." };
        var lanczos = new Option<int>("--lanczos") { Description = "Lanczos iterations for λmax/λmin (0 = off).", DefaultValueFactory = _ => new GeometryProbeOptions().LanczosIterations };
        var hutchinson = new Option<int>("--hutchinson") { Description = "Hutchinson probes for the trace (0 = off).", DefaultValueFactory = _ => new GeometryProbeOptions().HutchinsonSamples };
        var cauchy = new Option<int>("--cauchy") { Description = "Cauchy probes for ‖H‖₁,₁/d (0 = off, else ≥ 8; each costs one Hessian-vector product).", DefaultValueFactory = _ => new GeometryProbeOptions().CauchySamples };
        var slice1 = new Option<int>("--slice-1d") { Description = "Points of the 1-D slice (0 = off).", DefaultValueFactory = _ => new GeometryProbeOptions().Slice1DPoints };
        var slice2 = new Option<int>("--slice-2d") { Description = "Points per axis of the 2-D slice (0 = off).", DefaultValueFactory = _ => new GeometryProbeOptions().Slice2DPoints };
        var range = new Option<double>("--range") { Description = "Slices span [-range, range] along the directions.", DefaultValueFactory = _ => new GeometryProbeOptions().SliceRange };
        var raw = new Option<bool>("--no-filter-normalise") { Description = "Use plain Gaussian slice directions instead of filter-normalised ones (Li et al. 2018)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the batch, the probes and the slice directions.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/geometry-<name of the --run folder>)." };
        var format = Tabular.FormatOption();
        var json = new Option<bool>("--json") { Description = "Print geometry.json to stdout." };
        var cmd = new Command("geometry", "Loss geometry of a trained model (from `focuslab train`): Hessian eigenvalues, trace, ‖H‖₁,₁/d, sharpness along the gradient, 1-D/2-D slices.")
        {
            run, data, batch, lanczos, hutchinson, cauchy, slice1, slice2, range, raw, seed, outDir, json, format,
        };
        cmd.SetAction(r =>
        {
            var options = new GeometryProbeOptions
            {
                LanczosIterations = r.GetValue(lanczos),
                HutchinsonSamples = r.GetValue(hutchinson),
                CauchySamples = r.GetValue(cauchy),
                Slice1DPoints = r.GetValue(slice1),
                Slice2DPoints = r.GetValue(slice2),
                SliceRange = r.GetValue(range),
                FilterNormalise = !r.GetValue(raw),
                Seed = r.GetValue(seed),
            };
            options.Validate();
            var trained = TrainedModel.Load(r.GetValue(run)!);
            string runName = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(r.GetValue(run)!)));
            if (runName == TrainingCheckpoint.FileName) runName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(r.GetValue(run)!)))!;
            string dir = OutputFolder.Prepare(r.GetValue(outDir) ?? OutputFolder.Default("geometry", runName));
            int b = r.GetValue(batch) ?? MeasurementBatch.DefaultBatch(trained.Kind);
            var (loss, source) = MeasurementBatch.Create(trained, r.GetValue(data), b, options.Seed);
            Console.Error.WriteLine($"  {trained.Kind} from {trained.CheckpointPath} (step {trained.Meta.Step}, {trained.Meta.Optimizer}), {loss.Layout.Count} parameters, batch {b} of {source}");
            var report = GeometryProbe.Run(loss, options, part => Console.Error.WriteLine($"  measuring {part}"));
            var files = GeometryOutput.Write(dir, new GeometrySource(trained.Kind, trained.CheckpointPath, trained.Meta.Step, trained.Meta.Optimizer, b, source), options, report);
            OutputFolder.RecordCommand(dir);
            if (r.GetValue(json)) Console.WriteLine(File.ReadAllText(Path.Combine(dir, "geometry.json")));
            else
            {
                Tabular.Write(Tabular.Parse(r.GetValue(format)), ["metric", "value"],
                    GeometryOutput.Metrics(report).Select(x => (IReadOnlyList<string>)[x.Metric, Cell(x.Metric, x.Value)]));
            }
            Console.Error.WriteLine($"  {HumanUnits.Seconds(report.Seconds.Values.Sum())}; wrote {string.Join(", ", files)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Yes/no flags (stored as 0/1 in geometry.csv) as words, counts whole, the rest to 6 significant digits.</summary>
    private static string Cell(string metric, double value) =>
        metric is "lanczos_converged" or "gradient_sharpness_robust_form" ? HumanUnits.YesNo(value != 0)
        : metric == "parameters" ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("G6", CultureInfo.InvariantCulture);
}
