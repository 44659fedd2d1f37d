using FocusLab.Lab.Reports;
using System.Globalization;

namespace FocusLab.Lab.Studies;

/// <summary>
/// Checks Pan &amp; Li's claims (docs/equations.md#sharpness-study) against a run. "≫" / "≪" are read as a factor of at least 2 in
/// the median over checkpoints of the per-checkpoint sharpness ratio; only checkpoints where both
/// sharpness values are positive count. The thresholds are stated in every evidence line.
/// </summary>
public static class SharpnessClaims
{
    public const double Factor = 2;

    /// <summary>"A small fraction of coordinates" in the Gauss–Newton claim: at most this fraction removed (median over checkpoints).</summary>
    public const double SmallFraction = 0.05;

    public static PaperClaim[] Check(IReadOnlyList<SharpnessCheckpoint> checkpoints, string model)
    {
        var claims = Directions(checkpoints, model);
        return checkpoints.Any(c => c.GaussNewton is not null) ? [.. claims, GaussNewton(checkpoints)] : claims;
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

    /// <summary>Appendix D: the Gauss–Newton smoothness falls a lot once the few coordinates with heavy rows (≥ 4× the mean row norm) are removed.</summary>
    private static PaperClaim GaussNewton(IReadOnlyList<SharpnessCheckpoint> checkpoints)
    {
        var m = checkpoints.Where(c => c.GaussNewton is not null).Select(c => c.GaussNewton!).ToArray();
        double ratio = SharpnessStudy.Median(m.Select(x => x.Ratio)), fraction = SharpnessStudy.Median(m.Select(x => x.FractionRemoved));
        double factor = m[0].ThresholdFactor;
        return new($"removing the few coordinates whose Gauss–Newton row norm is ≥ {F(factor)}× the mean cuts its spectral norm a lot (robust smoothness ≪ smoothness)",
            ratio >= Factor && fraction <= SmallFraction,
            $"median ‖G‖/‖G_kept‖ = {F(ratio)} (range {F(m.Min(x => x.Ratio))}–{F(m.Max(x => x.Ratio))}), median fraction removed {F(100 * fraction)}% over {m.Length} checkpoints " +
            $"(batch {m[0].Samples}); 'a lot' means ≥ {Factor}, 'few' ≤ {100 * SmallFraction}%");
    }

    private static PaperClaim Greater(IReadOnlyList<SharpnessCheckpoint> checkpoints, string a, string b, string claim)
    {
        var r = Ratios(checkpoints, a, b);
        double m = SharpnessStudy.Median(r);
        string range = r.Length == 0 ? "" : $", range {F(r.Min())}–{F(r.Max())}";
        return new(claim, m >= Factor, $"median sharpness({a}) / sharpness({b}) = {F(m)} over {r.Length} checkpoints{range}; ≫ means ≥ {Factor}");
    }

    private static PaperClaim BetterReduction(IReadOnlyList<SharpnessCheckpoint> checkpoints, string clipped, string plain)
    {
        int wins = checkpoints.Count(c => Row(c, clipped).BestLossReduction > Row(c, plain).BestLossReduction);
        double mc = SharpnessStudy.Median(checkpoints.Select(c => Row(c, clipped).BestLossReduction));
        double mp = SharpnessStudy.Median(checkpoints.Select(c => Row(c, plain).BestLossReduction));
        return new($"{clipped}'s direction gives a larger best local loss reduction than {plain}'s",
            2 * wins > checkpoints.Count,
            $"larger at {wins} of {checkpoints.Count} checkpoints; median best reduction {clipped} {F(mc)} vs {plain} {F(mp)}");
    }

    private static double[] Ratios(IReadOnlyList<SharpnessCheckpoint> checkpoints, string a, string b) =>
        checkpoints.Select(c => (A: Row(c, a).Sharpness, B: Row(c, b).Sharpness)).Where(p => p.A > 0 && p.B > 0).Select(p => p.A / p.B).ToArray();

    private static SharpnessMeasurement Row(SharpnessCheckpoint c, string name) =>
        c.Rows.FirstOrDefault(r => r.Optimizer == name) ?? throw new ArgumentException($"The study did not measure '{name}', which the claims need.");

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G3", CultureInfo.InvariantCulture) : "n/a";
}
