using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Rotation;

namespace FocusLab.Lab.Studies.Geometry;

/// <summary>
/// Files of the geometry study, each written atomically: geometry_{model}.json (settings, comparisons, lr searches, runs
/// with loss curves and curvature probes), geometry_{model}.csv (one row per run), geometry_{model}.svg (final loss per
/// optimizer and loss version), geometry_{model}_{loss}.svg (training curves on each loss version),
/// geometry_{model}_curves.csv, geometry_{model}_measures.csv (‖H‖₁,₁/d, spectral smoothness and λmax per optimizer and
/// loss version, mean ± spread over seeds), geometry_{model}.html and claims.json (the ledger's records).
/// </summary>
public static class GeometryStudyOutput
{
    private static readonly string[] OptimizerColours = ["#7f7f7f", "#ff7f0e", "#bcbd22", "#1f77b4", "#9467bd", "#2ca02c", "#d62728"];
    private static readonly string[] LossColours = ["#1f77b4", "#d62728", "#2ca02c"];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every file into <paramref name="directory"/>; <paramref name="command"/> goes into the claims.</summary>
    public static string[] Write(GeometryStudyReport report, string directory, string command)
    {
        ArgumentNullException.ThrowIfNull(report);
        string model = report.Options.Network.Model, stem = $"geometry_{model}";
        string bars = FinalLossSvg(report);
        var claims = GeometryStudyClaims.Check(report, command);
        var paths = new List<string>(StudyOutput.Write(directory, stem, ToJson(report, claims, command), CsvTable.ToText(RunRows(report)), bars, ToHtml(report, claims, bars)));
        void Extra(string name, string text)
        {
            string path = Path.Combine(directory, name);
            AtomicFile.WriteText(path, text);
            paths.Add(path);
        }
        Extra($"{stem}_curves.csv", CsvTable.ToText(CurveRows(report)));
        Extra($"{stem}_measures.csv", CsvTable.ToText(MeasuresRows(report)));
        foreach (var loss in report.Options.Losses.Select(GeometryStudyOptions.Name)) Extra($"{stem}_{loss}.svg", CurvesSvg(report, loss));
        ClaimFile.Write(directory, "geometry-study", claims);
        paths.Add(Path.Combine(directory, ClaimFile.FileName));
        return paths.ToArray();
    }

    private static string[] Losses(GeometryStudyReport r) => r.Options.Losses.Select(GeometryStudyOptions.Name).ToArray();

    private static string[] Optimizers(GeometryStudyReport r) => r.Options.Network.Optimizers.Select(o => o.Name).ToArray();

    private static GeometryRun[] Best(GeometryStudyReport r, string optimizer, string loss) => r.BestRuns.Where(x => x.Optimizer == optimizer && x.Loss == loss).ToArray();

    private static (double Mean, double Std) MeanStd(IReadOnlyList<double> v)
    {
        if (v.Count == 0) return (double.NaN, double.NaN);
        double m = v.Average();
        return (m, v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1)) : 0);
    }

    /// <summary>Steps per curve point: at most 20 points per run.</summary>
    private static int Block(int steps) => Math.Max(1, (int)Math.Ceiling(steps / 20.0));

    /// <summary>The JSON document.</summary>
    public static string ToJson(GeometryStudyReport r, IReadOnlyList<ClaimRecord> claims, string command) => JsonSerializer.Serialize(new
    {
        study = $"geometry_{r.Options.Network.Model}",
        command,
        parameters = r.Parameters,
        matrices = r.Matrices,
        settings = new
        {
            r.Options.Network.Model, r.Options.Network.Steps, r.Options.Network.Seeds, r.Options.Network.Batch, r.Options.Network.MeasureBatch,
            losses = Losses(r),
            optimizers = r.Options.Network.Optimizers.Select(o => new { name = o.Name, spec = o.Spec }),
            r.Options.Network.LearningRateFactors, r.Options.Network.MaxLrExtensions, r.Options.Network.Rounds,
            schedule = r.Options.Network.Schedule == RotationSchedule.WarmupCosine ? $"linear warm-up over {r.Options.Network.WarmupFraction:P0} of the steps, cosine to {r.Options.Network.CosineFloor}× the peak" : "constant",
            clip_norm = r.Options.Network.ClipNorm,
            cauchy_probes = r.Options.Network.EstimatorSamples,
            r.Options.SpectralStarts, r.Options.SpectralIterations, r.Options.LanczosIterations,
            architecture = r.Options.Network.Model == "gpt" ? (object)r.Options.Network.Gpt : r.Options.Network.Mlp,
            spectral_smoothness = "max ΔᵀHΔ over Δ whose every weight-matrix block has spectral norm ≤ 1 and that is zero on the other tensors; projected power iteration Δ ← polar(HΔ), best over starts and iterations",
        },
        comparisons = r.Comparisons,
        claims,
        learning_rates = r.LearningRates,
        runs = r.Runs,
        elapsed_s = r.ElapsedSeconds,
    }, StudyOutput.Json);

    /// <summary>One row per run (curvature columns on the chosen runs only).</summary>
    internal static IEnumerable<GeometryRunRow> RunRows(GeometryStudyReport r) => r.Runs.Select(run => GeometryRunRow.Of(r.Options.Network.Model, run));

    /// <summary>Per (optimizer, loss) at its best lr: final loss and the curvature probes, mean and sample spread over seeds.</summary>
    public static IEnumerable<GeometryMeasuresRow> MeasuresRows(GeometryStudyReport r)
    {
        foreach (var o in Optimizers(r))
            foreach (var loss in Losses(r))
            {
                var runs = Best(r, o, loss);
                if (runs.Length == 0) continue;
                var measured = runs.Where(x => x.Measure is not null).Select(x => x.Measure!).ToArray();
                var f = MeanStd(runs.Select(x => x.FinalLoss).ToArray());
                var l11 = MeanStd(measured.Select(x => x.L11IqrPerDimension).ToArray());
                var s = MeanStd(measured.Select(x => x.SpectralSmoothness).ToArray());
                var lam = MeanStd(measured.Select(x => x.LambdaMax).ToArray());
                yield return new GeometryMeasuresRow(r.Options.Network.Model, o, loss, runs[0].LearningRate, runs.Length, f.Mean, f.Std, l11.Mean, l11.Std, s.Mean, s.Std, lam.Mean, lam.Std);
            }
    }

    /// <summary>The training-loss curves at each (optimizer, loss)'s best lr: per block of steps, mean and spread over seeds (blank after a divergence).</summary>
    internal static IEnumerable<LossCurveBlockRow> CurveRows(GeometryStudyReport r)
    {
        int steps = r.Options.Network.Steps, block = Block(steps);
        foreach (var o in Optimizers(r))
            foreach (var loss in Losses(r))
            {
                var runs = Best(r, o, loss);
                if (runs.Length == 0) continue;
                for (int start = 0; start < steps; start += block)
                {
                    var (m, s) = MeanStd(runs.Select(run => run.Losses.Skip(start).Take(block).Average()).ToArray());
                    yield return new LossCurveBlockRow(r.Options.Network.Model, o, loss, runs[0].LearningRate, runs.Length, Math.Min(steps, start + block), m, s);
                }
            }
    }

    /// <summary>Training-loss curves of every optimizer on one loss version (mean over seeds and blocks of steps).</summary>
    public static string CurvesSvg(GeometryStudyReport r, string loss)
    {
        int steps = r.Options.Network.Steps, block = Block(steps), points = (steps + block - 1) / block;
        var chart = new LineChart
        {
            Title = $"{r.Options.Network.Model}: the {loss} loss ({r.Parameters} parameters)",
            Subtitle = $"training loss at each optimizer's best lr on this loss (minibatch, mean over {block}-step blocks and {r.Options.Network.Seeds.Length} seed(s))",
            XLabel = "step", YLabel = "loss",
        };
        var names = Optimizers(r);
        for (int k = 0; k < names.Length; k++)
        {
            var runs = Best(r, names[k], loss);
            if (runs.Length == 0) continue;
            var values = Enumerable.Range(0, points).Select(p => ((double)Math.Min(steps, (p + 1) * block), runs.Average(run => run.Losses.Skip(p * block).Take(block).Average())));
            chart.Add(string.Create(Inv, $"{names[k]} (lr {runs[0].LearningRate:G3})"), values, OptimizerColours[k % OptimizerColours.Length]);
        }
        return chart.ToSvg();
    }

    /// <summary>Final loss (mean over seeds at each loss's best lr) per optimizer, one bar per loss version.</summary>
    public static string FinalLossSvg(GeometryStudyReport r)
    {
        var names = Optimizers(r);
        var losses = Losses(r);
        var chart = new BarChart
        {
            Title = $"{r.Options.Network.Model}: final loss on each loss version",
            Subtitle = $"mean of the last {NetworkRotationStudy.FinalWindow} minibatch losses, mean over {r.Options.Network.Seeds.Length} seed(s), each at its own best lr; spread in geometry_{r.Options.Network.Model}_measures.csv",
            YLabel = "final training loss", Categories = names,
        };
        for (int l = 0; l < losses.Length; l++)
            chart.Add(losses[l], LossColours[l % LossColours.Length], names.Select(o => MeanStd(Best(r, o, losses[l]).Select(x => x.FinalLoss).ToArray()).Mean).ToArray());
        return chart.ToSvg();
    }

    /// <summary>The page: the bar chart, the claims, the curves and the tables.</summary>
    public static string ToHtml(GeometryStudyReport r, IReadOnlyList<ClaimRecord> claims, string bars)
    {
        var sb = new StringBuilder();
        sb.Append($"<h1>Which geometry does each optimizer exploit? ({WebUtility.HtmlEncode(r.Options.Network.Model)})</h1>\n").Append(bars).Append('\n');
        sb.Append("<h2>Predictions</h2><ul>\n");
        foreach (var c in claims)
            sb.Append($"<li><b>{WebUtility.HtmlEncode(c.Verdict)}</b>: {WebUtility.HtmlEncode(c.Claim)} — {WebUtility.HtmlEncode(c.Numbers)}</li>\n");
        sb.Append("</ul>\n");
        foreach (var loss in Losses(r)) sb.Append(CurvesSvg(r, loss)).Append('\n');
        sb.Append("<h2>Curvature of each loss version (at the chosen runs' last step)</h2>").Append(StudyOutput.CsvTable(CsvTable.ToText(MeasuresRows(r))));
        sb.Append("<h2>Runs</h2>").Append(StudyOutput.CsvTable(CsvTable.ToText(RunRows(r))));
        return StudyOutput.HtmlPage($"Geometry study ({r.Options.Network.Model})", sb.ToString());
    }
}
