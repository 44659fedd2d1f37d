using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Reports;

/// <summary>SVG figures of a phase sweep (FOCUS fig. 2a/2b style).</summary>
public static class PhaseFigures
{
    private static string XLabel(SweepGrid g) => g.Vary == PhaseAxis.Sharpness ? "valley sharpness a" : "weight decay wd";

    private static string Subtitle(SweepGrid g) =>
        $"{(g.Landscape == ValleyKind.Valley2D ? "valley2d" : $"valleynd (n={g.Dimension})")}, " +
        (g.Vary == PhaseAxis.Sharpness ? $"wd={g.FixedWeightDecay}" : $"a={g.FixedA}") +
        $", {g.NLr} lrs × {g.Replicates} reps × {g.Steps} steps";

    private static HeatmapFigure Map(SweepGrid g, string title) =>
        new(title, g.XValues, XLabel(g), g.SigmaValues, "gradient noise σ", Subtitle(g));

    public static string WinnerMap(PhaseScores s)
    {
        var g = s.Grid;
        var fig = Map(g, "Best optimizer").Cells((y, x) => s.WinnerId(y, x) is { } id ? Palette.Optimizer(id) : Palette.None);
        foreach (var o in g.Optimizers) fig.LegendSwatch(Palette.Optimizer(o.Id), o.Id);
        if (s.Winner.Contains(-1)) fig.LegendSwatch(Palette.None, "all diverged");
        if (s.SigmaC.Any(v => v is not null))
            fig.Curve(SigmaCPoints(s), "#111", "σc (signum beats adam above)");
        return fig.ToString();
    }

    /// <summary>Which of two optimizers scores lower; pale where they are within 1% of each other.</summary>
    public static string Pairwise(PhaseScores s, int i, int j)
    {
        var g = s.Grid; string a = g.Optimizers[i].Id, b = g.Optimizers[j].Id;
        string Pale(string hex) => "#" + string.Concat(Enumerable.Range(0, 3).Select(k => ((Convert.ToInt32(hex.Substring(1 + 2 * k, 2), 16) + 255 * 2) / 3).ToString("X2")));
        var fig = Map(g, $"{a} vs {b}").Cells((y, x) =>
        {
            double si = s.BestAt(i, y, x), sj = s.BestAt(j, y, x);
            if (!double.IsFinite(si) && !double.IsFinite(sj)) return Palette.None;
            string winner = si <= sj ? a : b;
            bool close = double.IsFinite(si) && double.IsFinite(sj) && Math.Abs(si - sj) <= 0.01 * Math.Max(Math.Abs(si), Math.Abs(sj));
            return close ? Pale(Palette.Optimizer(winner)) : Palette.Optimizer(winner);
        });
        return fig.LegendSwatch(Palette.Optimizer(a), $"{a} better").LegendSwatch(Palette.Optimizer(b), $"{b} better")
            .LegendText("pale: within 1%").ToString();
    }

    public static string BestLr(PhaseScores s, int o)
    {
        var g = s.Grid;
        double lo = Math.Log10(g.LearningRates.Min()), hi = Math.Log10(g.LearningRates.Max());
        double T(double lr) => hi > lo ? (Math.Log10(lr) - lo) / (hi - lo) : 0.5;
        var fig = Map(g, $"Best learning rate: {g.Optimizers[o].Id}").Cells((y, x) =>
        {
            int l = s.BestLrIndex[(o * g.NY + y) * g.NX + x];
            return l < 0 ? Palette.None : Palette.Ramp(T(g.LearningRates[l]));
        });
        return fig.ColourBar(Palette.Ramp, t => AxisScale.Label(Math.Pow(10, lo + t * (hi - lo))), "lr").ToString();
    }

    public static string WinnerBy(PhaseScores s, double[] metric, bool lowerIsBetter, string what)
    {
        var g = s.Grid;
        var fig = Map(g, $"Best optimizer by {what}").Cells((y, x) =>
        {
            int best = -1; double bv = double.NaN;
            for (int o = 0; o < g.NOpt; o++)
            {
                double v = metric[(o * g.NY + y) * g.NX + x];
                if (double.IsFinite(v) && (best < 0 || (lowerIsBetter ? v < bv : v > bv))) { best = o; bv = v; }
            }
            return best < 0 ? Palette.None : Palette.Optimizer(g.Optimizers[best].Id);
        });
        foreach (var o in g.Optimizers) fig.LegendSwatch(Palette.Optimizer(o.Id), o.Id);
        return fig.LegendText("(at each optimizer's best lr)", 10).ToString();
    }

    private static IEnumerable<(double X, double Y)> SigmaCPoints(PhaseScores s) =>
        Enumerable.Range(0, s.Grid.NX).Where(x => s.SigmaC[x] is not null).Select(x => (s.Grid.XValues[x], s.SigmaC[x]!.Value));

    public static string SigmaCCurve(PhaseScores s)
    {
        var g = s.Grid;
        var fig = new LineChart
        {
            Title = "Critical noise σc (signum overtakes adam)", Subtitle = Subtitle(g), XLabel = XLabel(g), YLabel = "σc",
            LogX = AxisScale.LooksLogSpaced(g.XValues), YMin = g.SigmaValues.Min(), YMax = g.SigmaValues.Max(),
        };
        fig.Add("σc", SigmaCPoints(s), "#111");
        return fig.ToSvg();
    }
}
