using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;

namespace FocusLab.Lab.Studies.Noise;

/// <summary>
/// Outputs of the LM gradient-noise study: <c>noise.json</c> (settings, per (optimizer, batch) results with
/// their final lr grids, I(b), crossovers, noise, wall time), <c>batch_summary.csv</c>, <c>improvement.csv</c>,
/// <c>noise.csv</c>, <c>lm_noise_improvement.svg</c> (I vs batch), <c>lm_noise_noise.svg</c> (noise vs batch),
/// <c>claims.json</c> and <c>lm_noise.html</c>.
/// </summary>
public static class LmNoiseReport
{
    public static ClaimRecord[] Write(string outDir, LmNoiseResult r, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        var c = r.Config;
        double trainSeconds = r.Runs.Sum(x => x.WallS);
        var claims = Claims(r, command);
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "noise.json"), JsonSerializer.Serialize(new
        {
            command, config = c, runs = r.Runs.Count, train_wall_seconds = trainSeconds, r.Results, r.Improvements, r.Crossovers, r.Noise, r.ReferenceNoise, reference_simple_noise_scale = GradientNoise.PooledSimpleNoiseScale(r.ReferenceNoise), claims,
        }, FocusLab.Lab.Reports.StudyOutput.Json));
        ClaimFile.Write(outDir, "lm-noise", claims);

        CsvTable.Write(Path.Combine(outDir, "batch_summary.csv"), r.Results.Select(NoiseBatchSummaryRow.Of));
        CsvTable.Write(Path.Combine(outDir, "improvement.csv"), r.Improvements);
        int refBatch = c.Batches.Max();
        var noiseRows = r.Noise.Select(n => NoiseRow.Of("own adamw run", n)).Concat(r.ReferenceNoise.Select(n => NoiseRow.Of($"adamw run at batch {refBatch}", n))).ToList();
        CsvTable.Write(Path.Combine(outDir, "noise.csv"), noiseRows);

        var ticks = c.Batches.Order().Select(b => (double)b).ToArray();
        var imp = new FocusLab.Lab.Reports.LineChart { Title = $"I(b) = (L_adamw − L_opt)/L_adamw after {c.Steps} steps, each tuned per batch size", XLabel = "batch size (sequences)", YLabel = "I", LogX = true, ReferenceY = 0, XTickValues = ticks };
        foreach (var oc in r.Crossovers)
            imp.Add($"I {oc.Optimizer}", r.Improvements.Where(i => i.Optimizer == oc.Optimizer).Select(i => ((double)i.Batch, i.I)));
        var noise = new FocusLab.Lab.Reports.LineChart { Title = $"Gradient noise per batch size (solid: at adamw's tuned run at batch {refBatch}; dashed: at each batch size's own run)", XLabel = "batch size (sequences)", YLabel = "noise (log)", LogX = true, LogY = true, XTickValues = ticks };
        noise.Add("median std/|mean| per coordinate", r.ReferenceNoise.Where(n => n.MedianStdOverMean > 0).Select(n => ((double)n.Batch, n.MedianStdOverMean)));
        noise.Add("tr Cov(g_b)/‖G‖²", r.ReferenceNoise.Where(n => n.NoiseToSignal is > 0).Select(n => ((double)n.Batch, n.NoiseToSignal!.Value)));
        noise.Add("median std/|mean|, own run", r.Noise.Where(n => n.MedianStdOverMean > 0).Select(n => ((double)n.Batch, n.MedianStdOverMean)), dashed: true);
        noise.Add("tr Cov(g_b)/‖G‖², own run", r.Noise.Where(n => n.NoiseToSignal is > 0).Select(n => ((double)n.Batch, n.NoiseToSignal!.Value)), dashed: true);
        string impSvg = imp.ToSvg(), noiseSvg = noise.ToSvg();
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "lm_noise_improvement.svg"), impSvg);
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "lm_noise_noise.svg"), noiseSvg);

        var html = new StringBuilder();
        html.Append($"<h1>Gradient noise and the batch-size crossover on language modelling ({WebUtility.HtmlEncode(c.Preset)})</h1>\n<p><code>{WebUtility.HtmlEncode(command)}</code></p>\n");
        html.Append(inv, $"<p>GPT {c.Layers}×{c.Embedding}, block {c.BlockSize}; batch sizes {string.Join(", ", c.Batches)} sequences; {c.Steps} steps; {c.Seeds.Length} seeds; every optimizer tuned per batch size (grid extended up to {c.MaxLrExtensions} steps at an edge). {r.Runs.Count} runs, {trainSeconds:F0} s of training.</p>\n");
        html.Append("<ul>\n");
        foreach (var oc in r.Crossovers) html.Append($"<li>{WebUtility.HtmlEncode(oc.Optimizer)}: {WebUtility.HtmlEncode(BatchSweepReport.CrossoverText(oc.Crossover))}</li>\n");
        html.Append("</ul>\n").Append(impSvg).Append(noiseSvg).Append(FocusLab.Lab.Reports.StudyOutput.CsvTable(CsvTable.ToText(noiseRows)));
        html.Append("<h2>Claims</h2><ul>\n");
        foreach (var cl in claims) html.Append($"<li><b>{WebUtility.HtmlEncode(cl.Verdict)}</b>: {WebUtility.HtmlEncode(cl.Claim)} — {WebUtility.HtmlEncode(cl.Reason)}</li>\n");
        html.Append("</ul>\n");
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(outDir, "lm_noise.html"), FocusLab.Lab.Reports.StudyOutput.HtmlPage("FocusLab LM gradient noise", html.ToString()));
        return claims;
    }

    /// <summary>One claim per sign-based optimizer: it beats adamw where the gradient noise is large (small batches) and loses where it is small.</summary>
    public static ClaimRecord[] Claims(LmNoiseResult r, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        var c = r.Config;
        string noise = string.Join("; ", r.ReferenceNoise.Select(n => string.Create(inv, $"b={n.Batch}: median std/|mean| {n.MedianStdOverMean:G3}, tr Cov/‖G‖² {(n.NoiseToSignal is { } x ? x.ToString("G3", inv) : "unresolved")}")))
            + (GradientNoise.PooledSimpleNoiseScale(r.ReferenceNoise) is { } bs ? string.Create(inv, $"; pooled B_simple {bs:G3} sequences") : "; B_simple unresolved");
        string protocol = string.Create(inv, $"GPT {c.Layers}×{c.Embedding}, block {c.BlockSize}, byte tokens, float32; batch {string.Join(",", c.Batches)} sequences; {c.Steps} steps; each optimizer tuned per batch size (grid extended up to {c.MaxLrExtensions} steps at an edge); {c.Seeds.Length} seeds; noise from {c.NoiseGradients} gradients per batch size at adamw's tuned run at batch {c.Batches.Max()}");
        var list = new List<ClaimRecord>();
        foreach (var oc in r.Crossovers)
        {
            var curve = r.Improvements.Where(i => i.Optimizer == oc.Optimizer).OrderBy(i => i.Batch).ToArray();
            var (verdict, reason) = c.Seeds.Length < 3 ? (ClaimVerdict.NotTestable, $"{c.Seeds.Length} seed(s); a verdict needs ≥ 3") : BatchSweepClaims.Judge(curve, 0);
            string numbers = string.Join("; ", curve.Select(i => string.Create(inv, $"I({i.Batch}) = {FocusLab.Lab.Claims.ClaimFormat.Signed(i.I)} ± {i.ReplicateStd:F3}{(i.LargerThanSpread ? "" : " (within spread)")}{(i.EdgeOptimum ? " [edge lr]" : "")}")))
                + "; " + BatchSweepReport.CrossoverText(oc.Crossover) + "; noise: " + noise;
            list.Add(new ClaimRecord($"mechanism.lm-noise.{oc.Optimizer}", "FOCUS / Signum mechanism (LM version; not run in the papers)",
                $"{oc.Optimizer} beats adamw at small batch sizes, where the gradient noise is large, and loses at large ones",
                "not run in the papers: the mechanism is shown on the toy valley (noise σ against sharpness) and on the MNIST batch-size sweep (FOCUS fig. 2)",
                protocol, ["a language-model version the papers did not run", "CPU scale: a few-layer GPT on 2.6 MB of text"], command, numbers, c.Seeds.Length, verdict, reason));
        }
        return list.ToArray();
    }
}
