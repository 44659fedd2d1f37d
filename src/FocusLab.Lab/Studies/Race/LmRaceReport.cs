using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Race;

/// <summary>
/// Outputs of a race: <c>race.json</c> (settings, tuning, per-entrant summary over seeds, every run with curves and spikes, comparisons), <c>summary.csv</c>, <c>claims.json</c>,
/// <c>runs.csv</c>, <c>tuning.csv</c>, <c>spikes.csv</c>, <c>val_curves.svg</c>, <c>train_loss.svg</c> and <c>lm_race.html</c>.
/// </summary>
public static class LmRaceReport
{
    public static void Write(string outDir, LmRaceResult result, string command)
    {
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "race.json"),
            JsonSerializer.Serialize(new { command, result.Config, result.Tuning, result.Summary, result.Comparisons, result.Runs }, FocusLab.Lab.Reports.StudyOutput.Json));
        var claims = LmRaceClaims.Check(result, command);
        FocusLab.Lab.Claims.ClaimFile.Write(outDir, "lm-race", claims);

        var summary = new StringBuilder("optimizer,lr,seeds,final_mean,final_std,speedup_mean,speedup_std,reached,diff_vs_adamw,diff_std,larger_than_spread,edge_lr,diverged\n");
        foreach (var r in result.Summary)
            summary.Append(CultureInfo.InvariantCulture, $"{r.Optimizer},{r.Lr:R},{r.Seeds},{r.FinalMean:R},{r.FinalStd:R},{r.SpeedupMean:R},{r.SpeedupStd:R},{r.Reached},{r.DiffVsAdamw:R},{r.DiffStd:R},{r.LargerThanSpread},{r.EdgeLr},{r.Diverged}\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "summary.csv"), summary.ToString());

        var runs = new StringBuilder("name,optimizer,kind,seed,lr,steps,final_val_loss,diverged,diverged_at,wall_s,tokens_per_s,spikes,spec\n");
        foreach (var r in result.Runs)
            runs.Append(CultureInfo.InvariantCulture, $"{r.Name},{r.Optimizer},{r.Kind},{r.Seed},{r.Lr:R},{r.Steps},{r.FinalValLoss:R},{r.Diverged},{r.DivergedAt},{r.WallS:F2},{r.TokensPerS:F0},{r.Spikes.Count},\"{r.Spec}\"\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "runs.csv"), runs.ToString());

        var tune = new StringBuilder("optimizer,lr,final_val_loss,chosen,weight_decay,edge\n");
        foreach (var t in result.Tuning)
            for (int i = 0; i < t.Lrs.Length; i++)
                tune.Append(CultureInfo.InvariantCulture, $"{t.Optimizer},{t.Lrs[i]:R},{t.FinalValLoss[i]:R},{t.Lrs[i] == t.BestLr},{t.WeightDecays[i]:R},{(t.Lrs[i] == t.BestLr && (t.AtLowerEdge || t.AtUpperEdge))}\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "tuning.csv"), tune.ToString());

        var spikes = new StringBuilder("run,optimizer,kind,step,length,loss,median,peak_ratio,update_max_before,update_mean_before,update_max_previous_step\n");
        foreach (var r in result.Runs.Where(r => r.Kind != "tune"))
            foreach (var s in r.Spikes)
                spikes.Append(CultureInfo.InvariantCulture, $"{r.Name},{r.Optimizer},{r.Kind},{s.Step},{s.Length},{s.Loss:R},{s.Median:R},{s.PeakRatio:R},{s.UpdateMaxBefore:R},{s.UpdateMeanBefore:R},{s.UpdateMaxAtPreviousStep:R}\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "spikes.csv"), spikes.ToString());

        var main = result.Runs.Where(r => r.Kind == "main").ToList();
        bool manySeeds = result.Config.Seeds.Length > 1;
        string Name(RaceRun r) => manySeeds ? $"{r.Optimizer} s{r.Seed}" : r.Optimizer;
        var val = new FocusLab.Lab.Reports.LineChart { Title = "Validation loss (FOCUS fig. 3)", XLabel = "step", YLabel = "validation loss (nats/byte)" };
        foreach (var r in main) val.Add(Name(r), r.ValCurve.Select(p => (p[0], p[1])));
        var train = new FocusLab.Lab.Reports.LineChart { Title = "Training loss (running mean of 10 steps)", XLabel = "step", YLabel = "training loss" };
        foreach (var r in main) train.Add(Name(r), Smooth(r.TrainLoss, 10), markers: false);
        string valSvg = val.ToSvg(), trainSvg = train.ToSvg();
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "val_curves.svg"), valSvg);
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "train_loss.svg"), trainSvg);

        var html = new StringBuilder();
        html.Append($"<h1>Language-model race ({WebUtility.HtmlEncode(result.Config.Preset)})</h1>\n<p><code>{WebUtility.HtmlEncode(command)}</code></p>\n");
        html.Append("<table><tr><th>optimizer</th><th>seed</th><th>final val loss</th><th>steps to adamw's final</th><th>speed-up</th><th>wall s</th><th>spikes</th></tr>\n");
        foreach (var c in result.Comparisons)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{c.Optimizer}</td><td>{c.Seed}</td><td>{c.FinalValLoss:F4}</td><td>{c.Steps?.ToString() ?? "not reached"}</td><td>{(c.Speedup is { } s ? s.ToString("F2", CultureInfo.InvariantCulture) + "×" : "–")}</td><td>{c.WallS:F1}</td><td>{c.Spikes}</td></tr>\n");
        html.Append("</table>\n<h2>Over seeds</h2>\n").Append(FocusLab.Lab.Reports.StudyOutput.CsvTable(summary.ToString()));
        html.Append(valSvg).Append(trainSvg).Append("<h2>Claims</h2><ul>\n");
        foreach (var c in claims) html.Append($"<li><b>{WebUtility.HtmlEncode(c.Verdict)}</b>: {WebUtility.HtmlEncode(c.Claim)} — {WebUtility.HtmlEncode(c.Numbers)}; {WebUtility.HtmlEncode(c.Reason)}</li>\n");
        html.Append("</ul>\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "lm_race.html"), FocusLab.Lab.Reports.StudyOutput.HtmlPage("FocusLab LM race", html.ToString()));
    }

    /// <summary>Trailing running mean over <paramref name="window"/> steps, as (step, value) with steps from 1.</summary>
    public static List<(double, double)> Smooth(IReadOnlyList<double> x, int window)
    {
        var list = new List<(double, double)>(x.Count);
        double sum = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sum += x[i];
            if (i >= window) sum -= x[i - window];
            list.Add((i + 1, sum / Math.Min(i + 1, window)));
        }
        return list;
    }
}
