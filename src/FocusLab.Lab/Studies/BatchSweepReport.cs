using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace FocusLab.Lab.Studies;

/// <summary>
/// The outputs of a finished batch sweep: <c>summary.json</c> (grid, per-optimizer results,
/// improvement, crossover), <c>batch_summary.csv</c>, <c>improvement.csv</c>, two SVG figures
/// (best test loss vs batch; I vs batch with its replicate spread) and <c>batch_sweep.html</c>.
/// </summary>
public static class BatchSweepReport
{
    public static BatchSweepSummary Write(string outDir, BatchSweepGrid grid, IReadOnlyCollection<SweepCellResult> cells, string command)
    {
        var summary = SweepScoring.Summarize(grid, cells);
        var doc = new { command, grid, cells = cells.Count, summary.Results, summary.Improvements, summary.Crossover };
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(doc, FocusLab.Lab.Reports.StudyOutput.Json));

        var csv = new StringBuilder("batch,optimizer,best_lr,loss_mean,loss_std,accuracy_mean,diverged_runs\n");
        foreach (var r in summary.Results)
            csv.Append(CultureInfo.InvariantCulture, $"{r.Batch},{r.Optimizer},{r.BestLr:R},{r.LossMean:R},{r.LossStd:R},{r.AccuracyMean:R},{r.DivergedRuns}\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_summary.csv"), csv.ToString());

        var icsv = new StringBuilder("batch,improvement,replicate_mean,replicate_std,replicate_min,replicate_max\n");
        foreach (var i in summary.Improvements)
            icsv.Append(CultureInfo.InvariantCulture, $"{i.Batch},{i.I:R},{i.ReplicateMean:R},{i.ReplicateStd:R},{i.ReplicateMin:R},{i.ReplicateMax:R}\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "improvement.csv"), icsv.ToString());

        var loss = new FocusLab.Lab.Reports.LineChart { Title = $"Best test loss after {grid.Steps} steps (FOCUS fig. 2c)", XLabel = "batch size", YLabel = "test loss (mean over replicates, best lr)", LogX = true, LogY = true, XTickValues = grid.BatchSizes.Select(b => (double)b).ToArray() };
        foreach (var o in grid.Optimizers)
            loss.Add(o.Label, summary.Results.Where(r => r.Optimizer == o.Label).OrderBy(r => r.Batch).Select(r => ((double)r.Batch, r.LossMean)));
        var imp = new FocusLab.Lab.Reports.LineChart { Title = "Improvement I = (L_adamw − L_signum)/L_adamw (FOCUS fig. 2d)", XLabel = "batch size", YLabel = "I", LogX = true, ReferenceY = 0, XTickValues = grid.BatchSizes.Select(b => (double)b).ToArray() };
        imp.Add("I", summary.Improvements.Select(i => ((double)i.Batch, i.I)))
           .Add("replicate min", summary.Improvements.Select(i => ((double)i.Batch, i.ReplicateMin)), dashed: true, markers: false)
           .Add("replicate max", summary.Improvements.Select(i => ((double)i.Batch, i.ReplicateMax)), dashed: true, markers: false);
        string lossSvg = loss.ToSvg(), impSvg = imp.ToSvg();
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_sweep_loss.svg"), lossSvg);
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_sweep_improvement.svg"), impSvg);

        var c = summary.Crossover;
        string crossover = c.Batch is { } b ? string.Create(CultureInfo.InvariantCulture, $"crossover batch size ≈ {b:F0} (between {c.Below} and {c.Above}); {c.Note}") : $"no crossover: {c.Note}";
        var html = new StringBuilder();
        html.Append($"<h1>Batch-size crossover ({WebUtility.HtmlEncode(grid.Preset)})</h1>\n<p><code>{WebUtility.HtmlEncode(command)}</code></p>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>{grid.BatchSizes.Length} batch sizes × {grid.LearningRates.Length} learning rates × {grid.Replicates} replicates × {grid.Optimizers.Length} optimizers, {grid.Steps} steps, weight decay {grid.WeightDecay} (not on biases or batch-norm). {WebUtility.HtmlEncode(crossover)}.</p>\n");
        html.Append(lossSvg).Append(impSvg);
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "batch_sweep.html"), FocusLab.Lab.Reports.StudyOutput.HtmlPage("FocusLab batch-size sweep", html.ToString()));
        return summary;
    }
}
