using System.Globalization;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Studies.Race;

/// <summary>
/// The race's verdicts: FOCUS fig. 3 (focus reaches adamw's loss sooner; also at adamw's lr, the paper's
/// literal comparison) and S3 table 2 (s3 beats adamw). A claim is reproduced when the entrant ends below
/// adamw on every seed (the difference larger than the spread), reaches adamw's final loss sooner on
/// average, from an interior lr and ≥ 3 seeds. Fewer seeds or an edge lr: not testable (the reason says
/// which). Otherwise the papers' settings — GPT-2 124M in float16 over ~10^5 steps, where their advantage
/// is attributed to stability — are out of reach of a few-layer float32 GPT on 2.6 MB of text, so a loss
/// here is reported as not testable at this scale, with the numbers, rather than as a refutation.
/// </summary>
internal static class LmRaceClaims
{
    private const string FocusProtocol = "GPT-2 small (124M) on OpenWebText, GPT-2 BPE, float16, ~10^5 steps, each optimizer at its tuned lr (FOCUS fig. 3)";
    private const string S3Protocol = "GPT-2 scale language models, S3 (β1 = β2 = 0.95, p = 3, Nesterov) against AdamW at its tuned lr, lr·wd matched (S3 table 2)";

    public static ClaimRecord[] Check(LmRaceResult race, string command)
    {
        var c = race.Config;
        string protocol = string.Create(CultureInfo.InvariantCulture,
            $"GPT {c.Layers} layers × {c.Embedding} wide, block {c.BlockSize}, batch {c.Batch}, byte tokens, float32, {c.Steps} steps, warm-up {c.WarmupFraction:P0} + cosine to {c.Floor}× peak, clip {c.Clip}; lr tuned per optimizer on {c.TuneSteps}-step runs over {c.TuneSeeds} seed(s), grid extended up to {c.MaxLrExtensions} steps at an edge; {c.Seeds.Length} seed(s)");
        string[] deviations =
        [
            $"model {c.Layers}×{c.Embedding} instead of GPT-2 124M; float32 instead of float16",
            $"{c.Steps} steps instead of ~10^5; byte tokens on the fortunes corpus (2.6 MB) instead of BPE on OpenWebText",
        ];
        var claims = new List<ClaimRecord>();
        void Add(string id, string paper, string label, string claim, string paperProtocol)
        {
            var row = race.Summary.FirstOrDefault(r => r.Optimizer == label);
            var adamw = race.Summary.FirstOrDefault(r => r.Optimizer == "adamw");
            if (row is null || adamw is null) return;
            var (verdict, reason) = Judge(row, c.Seeds.Length);
            claims.Add(new ClaimRecord(id, paper, claim, paperProtocol, protocol, deviations, command, Numbers(row, adamw), row.Seeds, verdict, reason));
        }
        Add("focus.fig3.speed", "FOCUS (Liu, Liu & Gore 2025)", "focus", "focus trains a GPT faster than adamw (each at its tuned lr)", FocusProtocol);
        Add("focus.fig3.adamw-lr", "FOCUS (Liu, Liu & Gore 2025)", LmRace.FocusAtAdamwLr, "focus at adamw's tuned lr (the paper's literal comparison) trains faster than adamw", FocusProtocol);
        Add("s3.table2.speed", "S3 / SoftSignSGD", "s3", "s3 reaches a lower loss than adamw at the same budget", S3Protocol);
        return claims.ToArray();
    }

    /// <summary>Verdict of one entrant against adamw (see the class summary).</summary>
    public static (string Verdict, string Reason) Judge(RaceSummaryRow row, int seeds)
    {
        if (seeds < 3) return (ClaimVerdict.NotTestable, $"{seeds} seed(s); a verdict needs ≥ 3 (use the full preset or --seeds 3)");
        if (row.EdgeLr) return (ClaimVerdict.NotTestable, "the tuned lr is still at an edge of its grid; extend the grid (--lr-extensions)");
        if (row.DiffVsAdamw is not { } d) return (ClaimVerdict.NotTestable, "a run diverged, so the paired difference is undefined at this scale");
        bool faster = row.SpeedupMean is > 1 && row.Reached == row.Seeds;
        if (d > 0 && row.LargerThanSpread && faster)
            return (ClaimVerdict.Reproduced, string.Create(CultureInfo.InvariantCulture, $"lower final loss on every seed (by {d:F3} ± {row.DiffStd:F3}) and adamw's final loss reached {row.SpeedupMean:F2}× sooner"));
        string here = d < 0 && row.LargerThanSpread
            ? string.Create(CultureInfo.InvariantCulture, $"here it ends above adamw on every seed (by {-d:F3} ± {row.DiffStd:F3})")
            : string.Create(CultureInfo.InvariantCulture, $"here the difference ({FocusLab.Lab.Claims.ClaimFormat.Signed(d)} ± {row.DiffStd:F3}) is within the seed spread");
        return (ClaimVerdict.NotTestable, here + "; the paper's advantage is claimed for GPT-2 scale training in float16 over ~10^5 steps, which this CPU-scale race does not reach");
    }

    private static string Numbers(RaceSummaryRow row, RaceSummaryRow adamw)
    {
        var inv = CultureInfo.InvariantCulture;
        string speed = row.SpeedupMean is { } s ? string.Create(inv, $"speed-up {s:F2} ± {row.SpeedupStd:F2} ({row.Reached}/{row.Seeds} seeds reached adamw's final loss)") : $"adamw's final loss never reached (0/{row.Seeds} seeds)";
        return string.Create(inv, $"final val loss {row.FinalMean:F3} ± {row.FinalStd:F3} (lr {row.Lr:G3}) vs adamw {adamw.FinalMean:F3} ± {adamw.FinalStd:F3} (lr {adamw.Lr:G3}); {speed}; {row.Seeds} seeds");
    }
}
