using System.Globalization;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// Checks Pan &amp; Li's claims (docs/equations.md#sharpness-study) against a run. "≫" / "≪" are read as a factor of at least 2 in
/// the median over checkpoints of the per-checkpoint sharpness ratio; only checkpoints where both
/// sharpness values are positive count. The thresholds are stated in every evidence line.
/// </summary>
internal static class SharpnessClaims
{
    public const double Factor = 2;

    /// <summary>"A small fraction of coordinates" in the Gauss–Newton claim: at most this fraction removed (median over checkpoints).</summary>
    public const double SmallFraction = 0.05;

    /// <summary>The paper every claim here comes from.</summary>
    public const string Paper = "Pan & Li 2023, \"Toward understanding why Adam converges faster than SGD for transformers\"";

    /// <summary>The claims with the protocol differences of a default-settings run of <paramref name="model"/>.</summary>
    public static PaperClaim[] Check(IReadOnlyList<SharpnessCheckpoint> checkpoints, string model) =>
        Check(checkpoints, new SharpnessStudyOptions { Model = model }, 0);

    /// <summary>Every claim the run can check, each with the ways its protocol (<paramref name="options"/>) differs from the paper's.</summary>
    public static PaperClaim[] Check(IReadOnlyList<SharpnessCheckpoint> checkpoints, SharpnessStudyOptions options, long parameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        var differences = ProtocolDifferences(options, parameters);
        var claims = Directions(checkpoints, options.Model);
        if (checkpoints.Any(c => c.GaussNewton is not null))
            claims = [.. claims, GaussNewton(checkpoints, g => g.RowNorm, options.Model), GaussNewton(checkpoints, g => g.FactorNorm, options.Model)];
        return claims.Select(c => c with { Paper = Paper, ProtocolDifferences = [.. differences, .. c.ProtocolDifferences] }).ToArray();
    }

    /// <summary>How this run's protocol differs from the paper's, stated once for every claim.</summary>
    internal static string[] ProtocolDifferences(SharpnessStudyOptions o, long parameters)
    {
        string size = parameters > 0 ? $"{parameters:N0} parameters" : "a small model";
        var list = new List<string>
        {
            o.Model == "gpt"
                ? $"a byte-level GPT of {size} ({o.Gpt.Layers} layers, width {o.Gpt.Embedding}, context {o.Gpt.BlockSize}) on 2.6 MB of text, not the paper's full-size transformers"
                : $"an MLP of {size} on Fashion-MNIST, not the paper's ResNet on CIFAR-10 (the non-transformer contrast)",
            $"{o.Steps} training steps, checkpoints at steps {string.Join(", ", o.Checkpoints)}, {o.Seeds.Length} seed(s); measured on a fixed batch of {o.MeasureBatch} {(o.Model == "gpt" ? "windows" : "images")}",
        };
        if (o.Moments == PseudoUpdateMoments.Window) list.Add($"pseudo-update moments from the last {o.Window} gradients, not the whole trajectory");
        return list.ToArray();
    }

    private static PaperClaim[] Directions(IReadOnlyList<SharpnessCheckpoint> checkpoints, string model)
    {
        var claims = new List<PaperClaim>();
        if (checkpoints.Count == 0) return [];
        bool Has(params string[] names) => names.All(n => checkpoints[0].Rows.Any(r => r.Optimizer == n));
        if (Has("sgd", "sgd_clip")) claims.Add(Greater(checkpoints, "sgd", "sgd_clip", "sgd's update direction is much sharper than clipped sgd's (sgd ≫ sgd-clip)"));
        if (Has("adam", "adam_clip")) claims.Add(Greater(checkpoints, "adam", "adam_clip", "adam's update direction is much sharper than clipped adam's (adam ≫ adam-clip)"));
        if (Has("sgd", "sgd_clip")) claims.Add(BetterReduction(checkpoints, "sgd_clip", "sgd"));
        if (Has("adam", "adam_clip")) claims.Add(BetterReduction(checkpoints, "adam_clip", "adam"));
        if (!Has("sgd", "adam", "adafactor")) return claims.ToArray();
        var adam = Ratios(checkpoints, "adam", "sgd");
        var adafactor = Ratios(checkpoints, "adafactor", "sgd");
        double ma = SharpnessStudy.Median(adam), mf = SharpnessStudy.Median(adafactor);
        string evidence = $"median sharpness ratio to sgd: adam {F(ma)}, adafactor {F(mf)} over {adam.Length} and {adafactor.Length} checkpoints";
        if (model == "gpt")
            claims.Add(new("on a transformer, adaptive update directions are much flatter than sgd's (adam, adafactor ≪ sgd)",
                ma <= 1 / Factor && mf <= 1 / Factor, $"{evidence}; ≪ means ≤ 1/{Factor}"));
        else
            claims.Add(new("on a non-transformer (the paper used a ResNet), adaptive update directions are not much flatter than sgd's",
                ma > 1 / Factor && mf > 1 / Factor, $"{evidence}; 'not much flatter' means > 1/{Factor}"));
        return claims.ToArray();
    }

    /// <summary>
    /// Appendix D: the Gauss–Newton smoothness falls a lot once a few coordinates are removed — by one criterion: the
    /// paper's text (row norms ≥ 4× their mean) or the authors' code (factor column norms ≥ 2× their mean over the candidates).
    /// </summary>
    private static PaperClaim GaussNewton(IReadOnlyList<SharpnessCheckpoint> checkpoints, Func<Diagnostics.GaussNewtonResult, Diagnostics.GaussNewtonCut> criterion, string model)
    {
        var all = checkpoints.Where(c => c.GaussNewton is not null).Select(c => c.GaussNewton!).ToArray();
        var m = all.Select(criterion).ToArray();
        double ratio = SharpnessStudy.Median(m.Select(x => x.Ratio)), fraction = SharpnessStudy.Median(m.Select(x => x.FractionRemoved));
        var first = m[0];
        string source = first.Criterion.StartsWith("row", StringComparison.Ordinal) ? "the paper's text" : "the authors' code";
        var claim = new PaperClaim($"removing the few coordinates whose Gauss–Newton {first.Criterion} is ≥ {F(first.ThresholdFactor)}× the mean ({first.Candidates}; {source}) cuts its spectral norm a lot (robust smoothness ≪ smoothness)",
            ratio >= Factor && fraction <= SmallFraction,
            $"median ‖G‖/‖G_kept‖ = {F(ratio)} (range {F(m.Min(x => x.Ratio))}–{F(m.Max(x => x.Ratio))}), median fraction removed {F(100 * fraction)}% of all parameters over {m.Length} checkpoints " +
            $"(batch {all[0].Samples}); 'a lot' means ≥ {Factor}, 'few' ≤ {100 * SmallFraction}%");
        string batch = model == "gpt"
            ? $"G on {all[0].Samples} token windows (the last position of each, {all[0].Classes} classes), not the paper's batch"
            : $"G on {all[0].Samples} images";
        return claim with { ProtocolDifferences = [batch] };
    }

    private static PaperClaim Greater(IReadOnlyList<SharpnessCheckpoint> checkpoints, string a, string b, string claim)
    {
        var r = Ratios(checkpoints, a, b);
        double m = SharpnessStudy.Median(r);
        string range = r.Length == 0 ? "" : $", range {F(r.Min())}–{F(r.Max())}";
        return new(claim, m >= Factor, $"median sharpness({a}) / sharpness({b}) = {F(m)} over {r.Length} checkpoints{range}; ≫ means ≥ {Factor}");
    }

    /// <summary>
    /// Pan &amp; Li: the clipped direction gives the larger best local loss reduction. Only checkpoints where both line
    /// searches bracketed their minimum count, and where at least one of the two directions descends on the measurement
    /// batch (two zero reductions compare nothing). When fewer than half the checkpoints are left, the claim is not
    /// testable here (a truncated search would measure the cap, not the minimum).
    /// </summary>
    private static PaperClaim BetterReduction(IReadOnlyList<SharpnessCheckpoint> checkpoints, string clipped, string plain)
    {
        bool Capped(SharpnessCheckpoint c) => Row(c, clipped).LineSearchCapped || Row(c, plain).LineSearchCapped;
        bool NoDescent(SharpnessCheckpoint c) => !Row(c, clipped).LineSearchEnoughPointsBelowStart && !Row(c, plain).LineSearchEnoughPointsBelowStart;
        var counted = checkpoints.Where(c => !Capped(c) && !NoDescent(c)).ToArray();
        int capped = checkpoints.Count(Capped), flat = checkpoints.Count(c => !Capped(c) && NoDescent(c));
        int wins = counted.Count(c => Row(c, clipped).BestLossReduction > Row(c, plain).BestLossReduction);
        double mc = SharpnessStudy.Median(counted.Select(c => Row(c, clipped).BestLossReduction));
        double mp = SharpnessStudy.Median(counted.Select(c => Row(c, plain).BestLossReduction));
        var claim = new PaperClaim($"{clipped}'s direction gives a larger best local loss reduction than {plain}'s",
            counted.Length > 0 && 2 * wins > counted.Length,
            $"larger at {wins} of {counted.Length} checkpoints where both line searches bracketed their minimum (left out: {capped} with a minimum beyond the cap, " +
            $"{flat} where neither direction descends on the measurement batch); median best reduction {clipped} {F(mc)} vs {plain} {F(mp)}");
        return 2 * counted.Length < checkpoints.Count
            ? claim with { Outcome = ClaimOutcome.NotTestableAtThisScale, Reason = $"only {counted.Length} of {checkpoints.Count} checkpoints compare two bracketed minima ({capped} capped, {flat} without descent)" }
            : claim;
    }

    private static double[] Ratios(IReadOnlyList<SharpnessCheckpoint> checkpoints, string a, string b) =>
        checkpoints.Select(c => (A: Row(c, a).Sharpness, B: Row(c, b).Sharpness)).Where(p => p.A > 0 && p.B > 0).Select(p => p.A / p.B).ToArray();

    private static SharpnessMeasurement Row(SharpnessCheckpoint c, string name) =>
        c.Rows.FirstOrDefault(r => r.Optimizer == name) ?? throw new ArgumentException($"The study did not measure '{name}', which the claims need.");

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G3", CultureInfo.InvariantCulture) : "n/a";
}
