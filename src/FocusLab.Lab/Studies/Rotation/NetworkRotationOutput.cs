using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>
/// Files of the network rotation study, each written atomically: rotation_{model}.json (settings, runs with
/// loss curves and ‖H‖₁,₁/d checkpoints, claims), rotation_{model}.csv (one row per run and checkpoint),
/// rotation_{model}.svg (training-loss curves, rotated dashed), rotation_{model}_curves.csv (those curves: mean and
/// spread over seeds per block of steps) and rotation_{model}.html.
/// </summary>
public static class NetworkRotationOutput
{
    private static readonly string[] Palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"];


    public static string[] Write(NetworkRotationReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        string svg = ToSvg(report);
        var paths = StudyOutput.Write(directory, $"rotation_{report.Options.Model}", ToJson(report), CsvTable.ToText(RunRows(report)), svg, ToHtml(report, svg));
        string curves = Path.Combine(directory, $"rotation_{report.Options.Model}_curves.csv");
        CsvTable.Write(curves, CurveRows(report));
        return [.. paths, curves];
    }

    /// <summary>Steps per point of the curves: at most 20 points per run, so the figure's x labels stay readable.</summary>
    private static int Block(int steps) => Math.Max(1, (int)Math.Ceiling(steps / 20.0));

    /// <summary>
    /// The training-loss curves at each (optimizer, loss)'s best lr: per block of steps, the minibatch loss averaged over
    /// the block, then mean and sample standard deviation over seeds (blank after a divergence).
    /// </summary>
    internal static IEnumerable<LossCurveBlockRow> CurveRows(NetworkRotationReport r)
    {
        int steps = r.Options.Steps, block = Block(steps);
        foreach (var (name, _) in r.Options.Optimizers)
            foreach (bool rotated in new[] { false, true })
            {
                var runs = r.BestRuns.Where(x => x.Optimizer == name && x.Rotated == rotated).ToArray();
                if (runs.Length == 0) continue;
                for (int start = 0; start < steps; start += block)
                {
                    var values = runs.Select(run => run.Losses.Skip(start).Take(block).Average()).ToArray();
                    double mean = values.Average();
                    double std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
                    yield return new LossCurveBlockRow(r.Options.Model, name, rotated ? "rotated" : "original", runs[0].LearningRate, runs.Length, Math.Min(steps, start + block), mean, std);
                }
            }
    }

    public static string ToJson(NetworkRotationReport r) => JsonSerializer.Serialize(new
    {
        study = $"rotation_{r.Options.Model}",
        paper = "Xie, Mohamadi & Li, \"Adam exploits ℓ∞-geometry of loss landscape via coordinate-wise adaptivity\"",
        parameters = r.Parameters,
        rotation = new { rounds = r.Options.Rounds, shape = new[] { r.RotationShape.A, r.RotationShape.B, r.RotationShape.C } },
        settings = new
        {
            r.Options.Model, r.Options.Steps, r.Options.Checkpoints, r.Options.Seeds, r.Options.Batch, r.Options.MeasureBatch, r.Options.EstimatorSamples,
            optimizers = r.Options.Optimizers.Select(o => new { name = o.Name, spec = o.Spec }),
            r.Options.LearningRateFactors,
            r.Options.MaxLrExtensions,
            schedule = r.Options.Schedule == RotationSchedule.WarmupCosine ? $"linear warm-up over {r.Options.WarmupFraction:P0} of the steps, cosine to {r.Options.CosineFloor}× the peak" : "constant",
            clip_norm = r.Options.ClipNorm,
            lr_rule = "each optimizer keeps, on each loss, the lr with the lowest mean final loss over seeds; while it is at an edge of the grid the grid is extended one step that way (up to max_lr_extensions)",
            architecture = r.Options.Model == "gpt" ? (object)r.Options.Gpt : r.Options.Mlp,
        },
        claims = r.Claims,
        learning_rates = r.LearningRates,
        runs = r.Runs,
        elapsed_s = r.ElapsedSeconds,
    }, FocusLab.Lab.Reports.StudyOutput.Json);

    /// <summary>One row per run and checkpoint (<see cref="RotationRunRow"/>).</summary>
    internal static IEnumerable<RotationRunRow> RunRows(NetworkRotationReport r) => r.Runs.SelectMany(run => RotationRunRow.Of(r.Options.Model, run));

    /// <summary>Loss curves averaged over seeds and over blocks of steps (at most 20 points per curve, so the x labels stay readable).</summary>
    public static string ToSvg(NetworkRotationReport r)
    {
        int steps = r.Options.Steps, block = Block(steps), points = (steps + block - 1) / block;
        var chart = new FocusLab.Lab.Reports.LineChart
        {
            Title = $"{r.Options.Model}: original vs rotated loss (k = {r.Options.Rounds} rounds, {r.Parameters} parameters)",
            Subtitle = $"training loss at each optimizer's best lr (minibatch, mean over {block}-step blocks and {r.Options.Seeds.Length} seed(s))",
            XLabel = "step", YLabel = "loss",
        };
        for (int k = 0; k < r.Options.Optimizers.Length; k++)
        {
            string name = r.Options.Optimizers[k].Name;
            foreach (bool rotated in new[] { false, true })
            {
                var runs = r.BestRuns.Where(x => x.Optimizer == name && x.Rotated == rotated).ToArray();
                if (runs.Length == 0) continue;
                var values = Enumerable.Range(0, points).Select(p =>
                    ((double)Math.Min(steps, (p + 1) * block), runs.Average(run => run.Losses.Skip(p * block).Take(block).Average())));
                chart.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ({(rotated ? "rotated" : "original")}, lr {runs[0].LearningRate:G3})"), values, Palette[k % Palette.Length], dashed: rotated);
            }
        }
        return chart.ToSvg();
    }

    public static string ToHtml(NetworkRotationReport r, string svg)
    {
        var sb = new StringBuilder();
        sb.Append($"<h1>Network rotation study ({WebUtility.HtmlEncode(r.Options.Model)}, Xie et al.)</h1>\n").Append(svg).Append('\n').Append(PaperClaim.HtmlList(r.Claims));
        if (r.LearningRates is { Length: > 0 } grids)
        {
            sb.Append("<h2>Learning-rate searches (mean ± spread of the final loss over seeds; best in bold)</h2><table><tr><th>optimizer</th><th>loss</th><th>extensions</th><th>learning rates</th></tr>\n");
            foreach (var g in grids)
            {
                sb.Append($"<tr><td>{WebUtility.HtmlEncode(g.Optimizer)}</td><td>{(g.Rotated ? "rotated" : "original")}</td><td>{g.Extensions}{(g.AtEdge ? " (best still at an edge)" : "")}</td><td>");
                for (int i = 0; i < g.LearningRates.Length; i++)
                {
                    double std = g.StdFinalLoss is { } sd ? sd[i] : double.NaN;
                    string cell = string.Create(CultureInfo.InvariantCulture, $"{g.LearningRates[i]:G3}: {(double.IsFinite(g.MeanFinalLoss[i]) ? $"{g.MeanFinalLoss[i]:F4} ± {std:F4}" : "diverged")}");
                    sb.Append(g.LearningRates[i] == g.BestLearningRate ? $"<b>{cell}</b>" : cell).Append(i + 1 < g.LearningRates.Length ? "; " : "");
                }
                sb.Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        sb.Append("<h2>Table</h2>").Append(StudyOutput.CsvTable(CsvTable.ToText(RunRows(r))));
        return StudyOutput.HtmlPage("Rotation study (network)", sb.ToString());
    }
}
