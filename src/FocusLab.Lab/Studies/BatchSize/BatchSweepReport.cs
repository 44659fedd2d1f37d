using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// The outputs of a batch sweep: <c>summary.json</c> (grid, per-optimizer results with their final lr
/// grids and edge flags, I(b) of every optimizer against adamw with its spread, crossovers, incomplete
/// batch sizes, cell wall time), <c>batch_summary.csv</c>, <c>improvement.csv</c>, two SVG figures (best
/// test loss vs batch; I vs batch for each optimizer with signum's replicate range), <c>claims.json</c>
/// (<see cref="BatchSweepClaims"/>) and <c>batch_sweep.html</c>.
/// </summary>
public static class BatchSweepReport
{
    public static BatchSweepSummary Write(string outDir, BatchSweepGrid grid, IReadOnlyCollection<SweepCellResult> cells, string command,
        int maxExtensions = SweepScoring.DefaultLrExtensions)
    {
        var summary = SweepScoring.Summarize(grid, cells, maxExtensions);
        var claims = BatchSweepClaims.Check(grid, summary, command);
        double cellSeconds = cells.Sum(c => c.WallS);
        var doc = new
        {
            command, grid, cells = cells.Count, cell_wall_seconds = cellSeconds, summary.MaxLrExtensions, summary.Results, summary.Improvements,
            summary.Crossover, summary.Crossovers, summary.IncompleteBatches, claims,
        };
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(doc, FocusLab.Lab.Reports.StudyOutput.Json));
        ClaimFile.Write(outDir, "batch-sweep", claims);

        CsvTable.Write(Path.Combine(outDir, "batch_summary.csv"), summary.Results.Select(BatchSummaryRow.Of));
        CsvTable.Write(Path.Combine(outDir, "improvement.csv"), summary.Improvements);

        var batches = summary.Results.Select(r => (double)r.Batch).Distinct().Order().ToArray();
        var loss = new FocusLab.Lab.Reports.LineChart { Title = $"Best test loss after {grid.Steps} steps (FOCUS fig. 2c)", XLabel = "batch size", YLabel = "test loss (mean over replicates, best lr)", LogX = true, LogY = true, XTickValues = batches };
        foreach (var o in grid.Optimizers)
            loss.Add(o.Label, summary.Results.Where(r => r.Optimizer == o.Label).OrderBy(r => r.Batch).Select(r => ((double)r.Batch, r.LossMean)));
        var imp = new FocusLab.Lab.Reports.LineChart { Title = "Improvement I = (L_adamw − L_opt)/L_adamw (FOCUS fig. 2d)", XLabel = "batch size", YLabel = "I", LogX = true, ReferenceY = 0, XTickValues = batches };
        foreach (var oc in summary.Crossovers)
            imp.Add($"I {oc.Optimizer}", summary.Improvements.Where(i => i.Optimizer == oc.Optimizer).Select(i => ((double)i.Batch, i.I)));
        var signum = summary.Improvements.Where(i => i.Optimizer == "signum").ToArray();
        imp.Add("signum replicate min", signum.Select(i => ((double)i.Batch, i.ReplicateMin)), dashed: true, markers: false)
           .Add("signum replicate max", signum.Select(i => ((double)i.Batch, i.ReplicateMax)), dashed: true, markers: false);
        string lossSvg = loss.ToSvg(), impSvg = imp.ToSvg();
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_sweep_loss.svg"), lossSvg);
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_sweep_improvement.svg"), impSvg);

        var html = new StringBuilder();
        html.Append($"<h1>Batch-size crossover ({WebUtility.HtmlEncode(grid.Preset)})</h1>\n<p><code>{WebUtility.HtmlEncode(command)}</code></p>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>{batches.Length} batch sizes × {grid.LearningRates.Length} learning rates (extended up to {maxExtensions} steps at an edge optimum) × {grid.Replicates} replicates × {grid.Optimizers.Length} optimizers, {grid.Steps} steps, weight decay {grid.WeightDecay} (not on biases or batch-norm); {cells.Count} cells, {cellSeconds:F0} s of training.</p>\n");
        html.Append("<ul>\n");
        foreach (var oc in summary.Crossovers) html.Append($"<li>{WebUtility.HtmlEncode(oc.Optimizer)}: {WebUtility.HtmlEncode(CrossoverText(oc.Crossover))}</li>\n");
        html.Append("</ul>\n");
        if (summary.IncompleteBatches.Length > 0)
            html.Append($"<p>Not finished (left out): batch {string.Join(", ", summary.IncompleteBatches.Select(b => b.Batch))}.</p>\n");
        html.Append(lossSvg).Append(impSvg);
        html.Append("<h2>Claims</h2><ul>\n");
        foreach (var c in claims) html.Append($"<li><b>{WebUtility.HtmlEncode(c.Verdict)}</b>: {WebUtility.HtmlEncode(c.Claim)} — {WebUtility.HtmlEncode(c.Reason)}</li>\n");
        html.Append("</ul>\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_sweep.html"), FocusLab.Lab.Reports.StudyOutput.HtmlPage("FocusLab batch-size sweep", html.ToString()));
        return summary;
    }

    /// <summary>"crossover batch size ≈ B (between b₀ and b₁); note" or "no crossover: note".</summary>
    public static string CrossoverText(Crossover c) => c.Batch is { } b
        ? string.Create(CultureInfo.InvariantCulture, $"crossover batch size ≈ {b:F0} (between {c.Below} and {c.Above}); {c.Note}")
        : $"no crossover: {c.Note}";
}
