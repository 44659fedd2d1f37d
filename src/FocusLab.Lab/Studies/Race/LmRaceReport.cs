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

        CsvTable.Write(Path.Combine(outDir, "summary.csv"), result.Summary);
        CsvTable.Write(Path.Combine(outDir, "runs.csv"), result.Runs.Select(RaceRunRow.Of));
        CsvTable.Write(Path.Combine(outDir, "tuning.csv"), result.Tuning.SelectMany(RaceTuningRow.Of));
        CsvTable.Write(Path.Combine(outDir, "spikes.csv"), result.Runs.Where(r => r.Kind != "tune").SelectMany(RaceSpikeRow.Of));

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
        html.Append("</table>\n<h2>Over seeds</h2>\n").Append(FocusLab.Lab.Reports.StudyOutput.CsvTable(CsvTable.ToText(result.Summary)));
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
