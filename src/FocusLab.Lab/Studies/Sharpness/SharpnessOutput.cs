using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// Files of the sharpness study, each written atomically: sharpness_{model}.json (settings, every
/// checkpoint with line searches, summary, claims, training curves), sharpness_{model}.csv (one row per
/// checkpoint and direction), sharpness_{model}.svg (median sharpness ratio to sgd and mean best loss
/// reduction per direction, one bar per trajectory), sharpness_{model}_training.svg (training-loss curves of the
/// trajectories) and sharpness_{model}.html (figures, summary, claims).
/// </summary>
public static class SharpnessOutput
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];


    public static string[] Write(SharpnessReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        string baseName = $"sharpness_{report.Options.Model}";
        string svg = ToSvg(report), training = TrainingSvg(report);
        var lineSearches = report.Checkpoints.Select(c => (Name: SharpnessLineSearchFigure.FileName(report.Options.Model, c), Svg: SharpnessLineSearchFigure.Render(report.Options.Model, c))).ToArray();
        var paths = StudyOutput.Write(directory, baseName, ToJson(report), ToCsv(report), svg,
            ToHtml(report, svg + "\n" + training, lineSearches.Select(l => l.Svg)));
        var extra = new List<string> { Path.Combine(directory, $"{baseName}_training.svg"), Path.Combine(directory, $"{baseName}_linesearch.csv") };
        AtomicFile.WriteText(extra[0], training);
        AtomicFile.WriteText(extra[1], LineSearchCsv(report));
        if (report.GaussNewtonSummary.Length > 0)
        {
            extra.Add(Path.Combine(directory, $"{baseName}_gauss_newton.csv"));
            AtomicFile.WriteText(extra[^1], GaussNewtonCsv(report));
        }
        foreach (var (name, figure) in lineSearches)
        {
            extra.Add(Path.Combine(directory, name));
            AtomicFile.WriteText(extra[^1], figure);
        }
        return [.. paths, .. extra];
    }

    /// <summary>One row per checkpoint and removal criterion: the Gauss–Newton robust-smoothness measurement (Pan &amp; Li, appendix D).</summary>
    public static string GaussNewtonCsv(SharpnessReport r) => CsvTable.ToText(
        from c in r.Checkpoints
        let g = c.GaussNewton
        where g is not null
        from cut in new[] { g.RowNorm, g.FactorNorm }
        select GaussNewtonRow.Of(r.Options.Model, c, g, cut));

    /// <summary>One row per line search (checkpoint × direction), <see cref="LineSearchRow"/>.</summary>
    public static string LineSearchCsv(SharpnessReport r) =>
        CsvTable.ToText(r.Checkpoints.SelectMany(c => c.Rows.Select(m => LineSearchRow.Of(r.Options.Model, c, m))));

    public static string ToJson(SharpnessReport r) => JsonSerializer.Serialize(new
    {
        study = "sharpness",
        paper = "Pan & Li 2023, \"Toward understanding why Adam converges faster than SGD for transformers\"",
        model = r.Options.Model,
        parameters = r.Parameters,
        settings = new
        {
            r.Options.Steps, r.Options.Checkpoints, r.Options.Seeds, r.Options.Batch, r.Options.MeasureBatch,
            pseudo_update_moments = r.Options.Moments == PseudoUpdateMoments.Trajectory ? "whole trajectory" : $"last {r.Options.Window} gradients",
            trajectories = r.Options.Trajectories.Select(t => new { name = t.Name, spec = t.Spec }),
            directions = r.Options.Directions,
            line_search = new
            {
                initial_step = "each direction's quadratic-model minimiser −(∇Lᵀû)/(ûᵀHû)",
                fallback_initial_step = r.Options.LineSearch.InitialStep,
                growth_factor = r.Options.LineSearch.GrowthFactor,
                max_growths = r.Options.LineSearch.MaxGrowths,
                refine_evaluations = r.Options.LineSearch.RefineEvaluations,
                rule = "grow t geometrically until L rises above L(θ) or the cap t₀·γ^max_growths; golden-section search inside the bracket; a minimum still at the cap is flagged capped",
            },
            r.Options.GaussNewtonBatch,
            gauss_newton_candidates = string.IsNullOrEmpty(r.Options.GaussNewtonCandidates) ? "all parameters" : r.Options.GaussNewtonCandidates,
            architecture = r.Options.Model == "gpt" ? (object)r.Options.Gpt : r.Options.Mlp,
        },
        summary = r.Summary,
        gauss_newton = r.GaussNewtonSummary,
        claims = r.Claims,
        checkpoints = r.Checkpoints,
        training_curves = r.TrainingCurves,
        elapsed_s = r.ElapsedSeconds,
    }, FocusLab.Lab.Reports.StudyOutput.Json);

    /// <summary>One row per checkpoint and direction, <see cref="SharpnessRow"/>.</summary>
    public static string ToCsv(SharpnessReport r) =>
        CsvTable.ToText(r.Checkpoints.SelectMany(c => c.Rows.Select(m => SharpnessRow.Of(r.Options.Model, c, m))));

    public static string ToSvg(SharpnessReport r)
    {
        var names = r.Options.Directions.Select(d => d.Name).ToArray();
        string where = $"{r.Options.Model}, {r.Parameters} parameters, {r.Checkpoints.Length} checkpoints";
        BarChart Bars(string title, string yLabel, Func<SharpnessSummaryRow, double> value, double? reference)
        {
            var chart = new BarChart { Title = title, YLabel = yLabel, Categories = names, LogY = true, ReferenceY = reference };
            for (int k = 0; k < r.Options.Trajectories.Length; k++)
            {
                var t = r.Options.Trajectories[k];
                chart.Add($"{t.Name} trajectory", Palette[k % Palette.Length], names.Select(n => value(r.Summary.First(s => s.Trajectory == t.Name && s.Optimizer == n))).ToArray());
            }
            return chart;
        }
        var ratio = Bars($"Directional sharpness / sgd's (median; {where})", "uᵀHu/‖u‖² ÷ sgd's", s => s.MedianRatioToSgd, 1);
        var reduction = Bars("Best local loss reduction along u/‖u‖ (mean over bracketed searches)", "L(θ) − min L(θ + t·û)", s => s.MeanBestLossReduction, null);
        return Figure.Stack(null, ratio.ToFigure(), reduction.ToFigure()).ToSvg();
    }

    /// <summary>Training-loss curves of every trajectory (mean over seeds and over blocks of steps, at most 20 points).</summary>
    public static string TrainingSvg(SharpnessReport r)
    {
        int steps = r.Options.Steps, block = Math.Max(1, (int)Math.Ceiling(steps / 20.0)), points = (steps + block - 1) / block;
        var chart = new LineChart
        {
            Title = $"{r.Options.Model}: training loss of the measured trajectories",
            Subtitle = $"minibatch loss, mean over {block}-step blocks and {r.Options.Seeds.Length} seed(s)", XLabel = "step", YLabel = "loss",
        };
        for (int k = 0; k < r.Options.Trajectories.Length; k++)
        {
            var runs = r.TrainingCurves.Where(c => c.Trajectory == r.Options.Trajectories[k].Name).ToArray();
            chart.Add(r.Options.Trajectories[k].Name, Enumerable.Range(0, points).Select(p =>
                ((double)Math.Min(steps, (p + 1) * block), runs.Average(c => c.Losses.Skip(p * block).Take(block).Average()))), Palette[k % Palette.Length]);
        }
        return chart.ToSvg();
    }

    public static string ToHtml(SharpnessReport r, string svg, IEnumerable<string>? lineSearches = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<h1>Directional sharpness of optimizer updates ({WebUtility.HtmlEncode(r.Options.Model)}, Pan &amp; Li 2023)</h1>\n").Append(svg).Append('\n').Append(PaperClaim.HtmlList(r.Claims));
        sb.Append("<h2>Summary (medians over checkpoints and seeds)</h2><table><tr><th>trajectory</th><th>optimizer</th><th>n</th><th>sharpness</th><th>ratio to sgd</th><th>min</th><th>max</th><th>mean best reduction (bracketed)</th><th>capped line searches</th></tr>\n");
        foreach (var s in r.Summary)
            sb.Append(inv, $"<tr><td>{s.Trajectory}</td><td>{s.Optimizer}</td><td>{s.Count}</td><td>{s.MedianSharpness:G4}</td><td>{s.MedianRatioToSgd:G4}</td><td>{s.MinRatioToSgd:G4}</td><td>{s.MaxRatioToSgd:G4}</td><td>{s.MeanBestLossReduction:G4}</td><td>{s.CappedLineSearches}</td></tr>\n");
        sb.Append("</table>\n");
        if (r.GaussNewtonSummary.Length > 0)
        {
            sb.Append("<h2>Robust smoothness: Gauss–Newton matrix before and after removing heavy coordinates (appendix D)</h2>\n");
            sb.Append("<table><tr><th>trajectory</th><th>seed</th><th>step</th><th>batch</th><th>‖G‖</th><th>criterion</th><th>candidates</th><th>threshold</th><th>removed</th><th>fraction</th><th>‖G‖ kept</th><th>ratio</th></tr>\n");
            foreach (var c in r.Checkpoints)
                if (c.GaussNewton is { } g)
                    foreach (var cut in new[] { g.RowNorm, g.FactorNorm })
                        sb.Append(inv, $"<tr><td>{c.Trajectory}</td><td>{c.Seed}</td><td>{c.Step}</td><td>{g.Samples}</td><td>{g.SpectralNorm:G4}</td><td>{WebUtility.HtmlEncode(cut.Criterion)}</td><td>{WebUtility.HtmlEncode(cut.Candidates)}</td><td>{cut.ThresholdFactor:G3}× mean</td><td>{cut.Removed}</td><td>{cut.FractionRemoved:P2}</td><td>{cut.ReducedSpectralNorm:G4}</td><td>{cut.Ratio:G4}</td></tr>\n");
            sb.Append("</table>\n");
        }
        if (lineSearches is not null)
        {
            sb.Append("<h2>Line searches along each direction</h2>\n");
            foreach (var figure in lineSearches) sb.Append(figure).Append('\n');
        }
        sb.Append(inv, $"<p>{r.ElapsedSeconds:F1} s.</p>\n");
        return StudyOutput.HtmlPage("Directional sharpness study", sb.ToString());
    }
}
