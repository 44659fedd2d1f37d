using System.Globalization;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Claims;

/// <summary>
/// The phase diagram's verdicts on FOCUS fig. 2a/2b (docs/equations.md#phase-diagrams), read off the scored
/// sweep so the ledger never restates them by hand:
/// <list type="bullet">
/// <item>fig. 2a: for each sharpness a there is a critical noise σc above which signum beats adam (adam wins
/// without noise, signum overtakes before the largest σ);</item>
/// <item>fig. 2a: σc grows with a (Spearman rank correlation of σc with a over the columns where σc exists);</item>
/// <item>fig. 2a: focus beats signum where the valley is sharp (of the pixels a sign-based method wins, focus
/// takes a larger share in the sharpest third of a than in the flattest third, and more than half there);</item>
/// <item>fig. 2b: large weight decay helps signum and erases focus's edge (of the pixels a sign-based method
/// wins, focus's share in the largest third of wd is below one half and below its share in the smallest third).</item>
/// </list>
/// A claim whose optimizers are not in the sweep is left out; one the grid is too small to judge is
/// "not testable at this scale". Each pixel is already "each optimizer at its best of the lr grid, mean over
/// replicates" (the paper's score); how many of those optima sit at an edge of the lr grid is stated.
/// </summary>
public static class PhaseClaims
{
    private const string Paper = "FOCUS (Liu, Liu & Gore 2025)";
    private const double Majority = 0.9, RankThreshold = 0.8;

    /// <summary>The paper's protocol, for the ledger's column.</summary>
    public static string PaperProtocol(PhaseAxis vary) => vary == PhaseAxis.Sharpness
        ? "narrowing valley L = (a/2)u²v² − c·u, multiplicative gradient noise σ; a = logspace(−1, 3, 96) × σ = linspace(0, 3, 100); wd 0.1; 20 lrs logspace(−3, 0); 50 replicates × 1000 steps; adam / signum / focus (γ 0.2); best lr per pixel (FOCUS fig. 2a)"
        : "narrowing valley at a = 10, wd = linspace(0, 0.5, 96) × σ = linspace(0, 3, 100); 20 lrs logspace(−3, 0); 50 replicates × 1000 steps; adam / signum / focus (γ 0.2); best lr per pixel (FOCUS fig. 2b)";

    /// <summary>The claims this sweep can speak to; <paramref name="command"/> is the command line that made it.</summary>
    public static ClaimRecord[] Check(PhaseScores s, string command)
    {
        var g = s.Grid;
        int adam = Index(g, "adam"), signum = Index(g, "signum"), focus = Index(g, "focus");
        string protocol = Protocol(g);
        string[] deviations = Deviations(g);
        string edge = EdgeNote(s);
        var claims = new List<ClaimRecord>();
        void Add(string id, string claim, string numbers, (string Verdict, string Reason) v) =>
            claims.Add(new ClaimRecord(id, Paper, claim, PaperProtocol(g.Vary), protocol, deviations, command, numbers + edge, g.Replicates, v.Verdict, v.Reason));

        if (g.Vary == PhaseAxis.Sharpness && adam >= 0 && signum >= 0)
        {
            var (numbers, verdict) = CriticalNoiseExists(s, adam, signum);
            Add("focus.fig2a.sigma_c", "for each sharpness a there is a critical noise σc: adam wins without noise, signum beats it above σc", numbers, verdict);
            (numbers, verdict) = CriticalNoiseGrows(s);
            Add("focus.fig2a.sigma_c_grows", "the critical noise σc grows with the sharpness a", numbers, verdict);
        }
        if (g.Vary == PhaseAxis.Sharpness && focus >= 0 && signum >= 0)
        {
            var (numbers, verdict) = FocusEdge(s, focus, signum, expectLargerAtHighX: true);
            Add("focus.fig2a.focus_sharp", "focus beats signum where the valley is sharp", numbers, verdict);
        }
        if (g.Vary == PhaseAxis.WeightDecay && focus >= 0 && signum >= 0)
        {
            var (numbers, verdict) = FocusEdge(s, focus, signum, expectLargerAtHighX: false);
            Add("focus.fig2b.wd_erases_focus", "large weight decay helps signum and erases focus's edge over it", numbers, verdict);
        }
        return claims.ToArray();
    }

    private static int Index(SweepGrid g, string id) => Array.FindIndex(g.Optimizers, o => o.Id == id);

    /// <summary>Adam at least as good as signum at σ = 0 and σc defined (signum overtakes below the largest σ), column by column.</summary>
    private static (string, (string, string)) CriticalNoiseExists(PhaseScores s, int adam, int signum)
    {
        var g = s.Grid;
        if (g.SigmaValues[0] != 0 || g.NY < 3) return ("the σ axis does not start at 0 with ≥ 3 levels", (ClaimVerdict.NotTestable, "needs σ = 0 and several noise levels (--sigma-points ≥ 3)"));
        int adamAtZero = Enumerable.Range(0, g.NX).Count(x => s.BestAt(adam, 0, x) <= s.BestAt(signum, 0, x));
        int defined = s.SigmaC.Count(c => c is not null);
        string numbers = Invariant($"adam ≤ signum at σ = 0 in {adamAtZero}/{g.NX} columns; σc < σmax = {g.SigmaValues[^1]:G3} in {defined}/{g.NX} columns; ") + SigmaCAt(s);
        bool holds = adamAtZero >= Majority * g.NX && defined >= Majority * g.NX;
        return (numbers, holds
            ? (ClaimVerdict.Reproduced, Invariant($"both hold in at least {Majority:P0} of the columns"))
            : (ClaimVerdict.NotReproduced, Invariant($"fewer than {Majority:P0} of the columns show adam winning at σ = 0 and signum overtaking below σmax")));
    }

    private static (string, (string, string)) CriticalNoiseGrows(PhaseScores s)
    {
        var g = s.Grid;
        var points = Enumerable.Range(0, g.NX).Where(x => s.SigmaC[x] is not null).Select(x => (A: g.XValues[x], C: s.SigmaC[x]!.Value)).ToArray();
        if (points.Length < 5) return (Invariant($"σc exists in {points.Length} columns"), (ClaimVerdict.NotTestable, "σc exists in fewer than 5 sharpness columns"));
        double rho = Spearman(points.Select(p => p.A).ToArray(), points.Select(p => p.C).ToArray());
        string numbers = Invariant($"Spearman ρ(a, σc) = {rho:F3} over {points.Length} columns; ") + SigmaCAt(s);
        return (numbers, rho >= RankThreshold
            ? (ClaimVerdict.Reproduced, Invariant($"ρ ≥ {RankThreshold}"))
            : (ClaimVerdict.NotReproduced, Invariant($"ρ = {rho:F3} < {RankThreshold}")));
    }

    /// <summary>
    /// Focus's share of the pixels won by a sign-based method (the winner map's signum and focus pixels; where the
    /// two are the only optimizers, every noisy pixel), in the lowest and the highest third of the x axis: the paper
    /// reads its claims off the winner map, where adam's pixels say nothing about focus against signum. Fig. 2a
    /// expects the share to rise with sharpness and exceed one half in the sharp third; fig. 2b expects it to fall
    /// with weight decay and drop below one half in the large-wd third.
    /// </summary>
    private static (string, (string, string)) FocusEdge(PhaseScores s, int focus, int signum, bool expectLargerAtHighX)
    {
        var g = s.Grid;
        if (g.NX < 3) return ("fewer than 3 x values", (ClaimVerdict.NotTestable, "needs at least 3 values on the x axis"));
        int third = g.NX / 3;
        double Share(int x0, int x1)
        {
            int wins = 0, total = 0;
            for (int y = 0; y < g.NY; y++)
            {
                if (g.SigmaValues[y] <= 0) continue;
                for (int x = x0; x < x1; x++)
                {
                    int w = s.WinnerAt(y, x);
                    if (w != focus && w != signum) continue;
                    total++;
                    if (w == focus) wins++;
                }
            }
            return total == 0 ? double.NaN : (double)wins / total;
        }
        double low = Share(0, third), high = Share(g.NX - third, g.NX);
        string axis = g.XName;
        string numbers = Invariant($"focus wins {low:P1} of the pixels won by signum or focus at the lowest third of {axis} ({g.XValues[0]:G3}–{g.XValues[third - 1]:G3}) and {high:P1} at the highest third ({g.XValues[g.NX - third]:G3}–{g.XValues[^1]:G3})");
        if (!double.IsFinite(low) || !double.IsFinite(high)) return (numbers, (ClaimVerdict.NotTestable, "no pixel of one third of the axis is won by signum or focus"));
        bool holds = expectLargerAtHighX ? high > low && high > 0.5 : high < low && high < 0.5;
        string expected = expectLargerAtHighX ? "a larger share at high a than at low a, and above one half there" : "a smaller share at large wd than at small wd, and below one half there";
        return (numbers, holds ? (ClaimVerdict.Reproduced, "as expected: " + expected) : (ClaimVerdict.NotReproduced, "expected " + expected));
    }

    /// <summary>σc at the grid's x values nearest to a = 0.1, 1, 10, 100, 1000 (those inside the axis).</summary>
    private static string SigmaCAt(PhaseScores s)
    {
        var g = s.Grid;
        var picks = new[] { 0.1, 1, 10, 100, 1000 }.Where(a => a >= g.XValues.Min() * 0.99 && a <= g.XValues.Max() * 1.01)
            .Select(a => Enumerable.Range(0, g.NX).MinBy(x => Math.Abs(Math.Log(g.XValues[x] / a)))).Distinct();
        return "σc = " + string.Join(", ", picks.Select(x => s.SigmaC[x] is { } c ? Invariant($"{c:F2} at a = {g.XValues[x]:G3}") : Invariant($"none at a = {g.XValues[x]:G3}")));
    }

    /// <summary>How many (optimizer, pixel) optima sit at the smallest or largest learning rate of the grid.</summary>
    private static string EdgeNote(PhaseScores s)
    {
        var g = s.Grid;
        if (g.NLr < 2) return "";
        int edge = s.BestLrIndex.Count(l => l == 0 || l == g.NLr - 1);
        return Invariant($"; best lr at an edge of the {g.NLr}-lr grid for {edge} of {s.BestLrIndex.Length} (optimizer, pixel) optima");
    }

    private static string Protocol(SweepGrid g) => Invariant(
        $"{(g.Landscape == ValleyKind.Valley2D ? "valley2d" : $"valleynd (d = {g.Dimension})")}, {g.Noise.ToString().ToLowerInvariant()} noise; {g.XName} × σ = {g.NX} × {g.NY} ({g.XValues[0]:G3}–{g.XValues[^1]:G3} × {g.SigmaValues[0]:G3}–{g.SigmaValues[^1]:G3}); {g.NLr} lrs {g.LearningRates[0]:G3}–{g.LearningRates[^1]:G3}; {g.Replicates} replicates × {g.Steps} steps; optimizers {string.Join(", ", g.Optimizers.Select(o => o.Id))}; seed {g.Seed}");

    /// <summary>Every setting that differs from the paper's sweep (empty for the paper preset).</summary>
    private static string[] Deviations(SweepGrid g)
    {
        var d = new List<string>();
        if (g.Landscape != ValleyKind.Valley2D) d.Add(Invariant($"the {g.Dimension}-dimensional valley instead of the 2-D one"));
        if (g.Noise != Landscapes.NoiseKind.Multiplicative) d.Add($"{g.Noise.ToString().ToLowerInvariant()} noise instead of multiplicative");
        if (g.NX != 96 || g.NY != 100) d.Add(Invariant($"a {g.NX} × {g.NY} grid instead of 96 × 100"));
        if (g.NLr != 20) d.Add(Invariant($"{g.NLr} learning rates instead of 20"));
        if (g.Replicates != 50) d.Add(Invariant($"{g.Replicates} replicates instead of 50"));
        if (g.Steps != 1000) d.Add(Invariant($"{g.Steps} steps instead of 1000"));
        return d.ToArray();
    }

    /// <summary>Spearman's rank correlation (ties take their average rank).</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("Spearman needs two samples of the same length.");
        double[] ra = Ranks(a), rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var rank = new double[v.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            for (int k = i; k <= j; k++) rank[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return rank;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
