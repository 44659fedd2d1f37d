using System.Globalization;
using System.Net;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Reports;

/// <summary>index.html collecting a run's SVG figures with the settings that produced them.</summary>
internal static class HtmlIndex
{
    public static string Build(PhaseScores s, double wallSeconds, IEnumerable<(string File, string Caption)> figures)
    {
        var g = s.Grid;
        string E(string t) => WebUtility.HtmlEncode(t);
        var inv = CultureInfo.InvariantCulture;
        var rows = new (string, string)[]
        {
            ("landscape", g.Landscape == ValleyKind.Valley2D ? $"valley2d, angle {(g.Angle ?? Math.PI / 6).ToString("0.####", inv)} rad" : $"valleynd, n = {g.Dimension}, {(g.Angle is { } an ? $"axis tilted by {an.ToString("0.####", inv)} rad" : "random rotation")}"),
            ("x axis", $"{g.XName}: {g.NX} values {g.XValues[0].ToString("g4", inv)} … {g.XValues[^1].ToString("g4", inv)}"),
            ("noise", $"{g.Noise.ToString().ToLowerInvariant()}, σ: {g.NY} values {g.SigmaValues[0].ToString("g4", inv)} … {g.SigmaValues[^1].ToString("g4", inv)}"),
            ("optimizers", string.Join(", ", g.Optimizers.Select(o => o.Id))),
            ("learning rates", $"{g.NLr} values {g.LearningRates.Min().ToString("g3", inv)} … {g.LearningRates.Max().ToString("g3", inv)}"),
            ("replicates × steps", $"{g.Replicates} × {g.Steps}"),
            ("seed", g.Seed.ToString(inv)),
            ("optimizer steps", g.TotalSteps.ToString("e3", inv)),
            ("wall time", $"{wallSeconds.ToString("0.0", inv)} s"),
            ("diverged runs", s.DivergedRuns.ToString(inv)),
        };
        var table = string.Concat(rows.Select(r => $"<tr><th>{E(r.Item1)}</th><td>{E(r.Item2)}</td></tr>\n"));
        var figs = string.Concat(figures.Select(f => $"<figure><img src=\"{E(f.File)}\" alt=\"{E(f.Caption)}\"><figcaption>{E(f.Caption)}</figcaption></figure>\n"));
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>FocusLab phase diagram</title>
            <style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;max-width:1500px}
            th{text-align:left;padding-right:1em}figure{display:inline-block;margin:1em}figcaption{font-size:0.9em;color:#444;max-width:700px}</style></head>
            <body><h1>FocusLab phase diagram</h1>
            <table>
            {{table}}</table>
            <p>Data: final_loss.npy, min_loss.npy, max_u.npy [optimizer, lr, σ, x, replicate]; score.npy; best_score.npy; best_lr.npy; winner.npy; winners.csv; sigma_c.csv; summary.json.</p>
            {{figs}}</body></html>
            """;
    }
}
