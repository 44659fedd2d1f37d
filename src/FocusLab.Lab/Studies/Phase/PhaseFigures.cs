using FocusLab.Lab.Reports;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Studies.Phase;

/// <summary>Figures of a phase sweep (FOCUS fig. 2a/2b style), drawn by ScottPlot through <see cref="MapFigure"/> and <see cref="LineChart"/>.</summary>
internal static class PhaseFigures
{
    private static string XLabel(SweepGrid g) => g.Vary == PhaseAxis.Sharpness ? "valley sharpness a" : "weight decay wd";

    private static string Subtitle(SweepGrid g) =>
        $"{(g.Landscape == ValleyKind.Valley2D ? "valley2d" : $"valleynd (n={g.Dimension})")}, " +
        (g.Vary == PhaseAxis.Sharpness ? $"wd={g.FixedWeightDecay}" : $"a={g.FixedA}") +
        $", {g.NLr} lrs × {g.Replicates} reps × {g.Steps} steps";

    private static MapFigure Map(SweepGrid g, string title) =>
        new(title, g.XValues, XLabel(g), g.SigmaValues, "gradient noise σ", Subtitle(g));

    private static (string, string)[] OptimizerClasses(SweepGrid g, string suffix = "") =>
        g.Optimizers.Zip(Palette.Optimizers(g.Optimizers.Select(o => o.Id).ToArray()), (o, colour) => (o.Id + suffix, colour)).ToArray();

    /// <summary>Best optimizer per pixel, with σc(a) drawn over it (broken where σc is undefined).</summary>
    public static MapFigure WinnerMap(PhaseScores s)
    {
        var g = s.Grid;
        var fig = Map(g, "Best optimizer").Categories((y, x) => s.Winner[y * g.NX + x], OptimizerClasses(g), "all diverged");
        if (s.SigmaC.Any(v => v is not null))
        {
            // A white halo keeps the black curve readable over every cell colour.
            fig.Curve(SigmaCPoints(s), "#FFFFFF", null, width: 5, opacity: 0.8)
               .Curve(SigmaCPoints(s), "#111111", "σc (signum beats adam above)", width: 2.5f);
        }
        return fig;
    }

    /// <summary>Which of two optimizers scores lower; pale where they are within 1% of each other.</summary>
    public static MapFigure Pairwise(PhaseScores s, int i, int j)
    {
        var g = s.Grid; string a = g.Optimizers[i].Id, b = g.Optimizers[j].Id;
        static string Pale(string hex) => "#" + string.Concat(Enumerable.Range(0, 3).Select(k => ((Convert.ToInt32(hex.Substring(1 + 2 * k, 2), 16) + 255 * 2) / 3).ToString("X2")));
        var colours = Palette.Optimizers(g.Optimizers.Select(o => o.Id).ToArray());
        (string, string)[] classes =
        [
            ($"{a} better", colours[i]), ($"{a} better by < 1%", Pale(colours[i])),
            ($"{b} better", colours[j]), ($"{b} better by < 1%", Pale(colours[j])),
        ];
        return Map(g, $"{a} vs {b}").Categories((y, x) =>
        {
            double si = s.BestAt(i, y, x), sj = s.BestAt(j, y, x);
            if (!double.IsFinite(si) && !double.IsFinite(sj)) return -1;
            bool close = double.IsFinite(si) && double.IsFinite(sj) && Math.Abs(si - sj) <= 0.01 * Math.Max(Math.Abs(si), Math.Abs(sj));
            return (si <= sj ? 0 : 2) + (close ? 1 : 0);
        }, classes, "both diverged");
    }

    /// <summary>The learning rate at which an optimizer scored best, per pixel (log colour scale).</summary>
    public static MapFigure BestLr(PhaseScores s, int o)
    {
        var g = s.Grid;
        return Map(g, $"Best learning rate: {g.Optimizers[o].Id}").Values((y, x) =>
        {
            int l = s.BestLrIndex[(o * g.NY + y) * g.NX + x];
            return l < 0 ? double.NaN : g.LearningRates[l];
        }, "learning rate", logScale: true);
    }

    /// <summary>Best optimizer per pixel by another per-pixel metric (minimum loss, furthest progress).</summary>
    public static MapFigure WinnerBy(PhaseScores s, double[] metric, bool lowerIsBetter, string what)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var g = s.Grid;
        return Map(g, $"Best optimizer by {what}").Categories((y, x) =>
        {
            int best = -1; double bv = double.NaN;
            for (int o = 0; o < g.NOpt; o++)
            {
                double v = metric[(o * g.NY + y) * g.NX + x];
                if (double.IsFinite(v) && (best < 0 || (lowerIsBetter ? v < bv : v > bv))) { best = o; bv = v; }
            }
            return best;
        }, OptimizerClasses(g), "all diverged").Note("(at each optimizer's best lr)");
    }

    /// <summary>σc per x value, NaN where it is undefined, so a curve breaks there instead of bridging the gap.</summary>
    private static IEnumerable<(double X, double Y)> SigmaCPoints(PhaseScores s) =>
        Enumerable.Range(0, s.Grid.NX).Select(x => (s.Grid.XValues[x], s.SigmaC[x] ?? double.NaN));

    /// <summary>σc(a) as a line chart over the sweep's x axis and σ range.</summary>
    public static LineChart SigmaCCurve(PhaseScores s)
    {
        var g = s.Grid;
        return new LineChart
        {
            Title = "Critical noise σc (signum overtakes adam)", Subtitle = Subtitle(g), XLabel = XLabel(g), YLabel = "σc",
            LogX = LogAxis.LooksLogSpaced(g.XValues), YMin = g.SigmaValues.Min(), YMax = g.SigmaValues.Max(),
        }.Add("σc", SigmaCPoints(s), "#111111");
    }
}
