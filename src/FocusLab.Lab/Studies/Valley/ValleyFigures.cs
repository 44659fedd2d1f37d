using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Sweeps;
using ScottPlot;
using Palette = FocusLab.Lab.Reports.Palette;

namespace FocusLab.Lab.Studies.Valley;

/// <summary>Figures of single runs on the 2-D valley: paths over the loss landscape (FOCUS fig. 1c) and loss curves (fig. 4).</summary>
public static class ValleyFigures
{
    private static readonly MarkerShape[] EndShapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown];

    /// <summary>SVG of <see cref="TrajectoryMap"/>.</summary>
    public static string Trajectories(NarrowingValley2D valley, IReadOnlyList<(string Id, double Lr, ToyRun.Path Path)> runs, string subtitle) =>
        TrajectoryMap(valley, runs, subtitle).ToSvg();

    /// <summary>
    /// Paths drawn over a shaded map of the loss, with a start marker and an end marker per path. Paths that
    /// share a route would hide each other, so each is drawn narrower than the one before it: overlapping
    /// stretches show as nested stripes of the optimizers' colours. The shading uses sign(L)·log10(1 + |L|/L₀)
    /// in 25 bands so both the flat start and the deep, narrow end of the valley stay readable.
    /// </summary>
    public static MapFigure TrajectoryMap(NarrowingValley2D valley, IReadOnlyList<(string Id, double Lr, ToyRun.Path Path)> runs, string subtitle)
    {
        ArgumentNullException.ThrowIfNull(valley);
        ArgumentNullException.ThrowIfNull(runs);
        // The window: a square around everything the paths visit, with a margin, so the paths fill the map.
        var all = runs.SelectMany(r => r.Path.X.Zip(r.Path.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        double cx = 0, cy = 0, half = 1;
        if (all.Count > 0)
        {
            double x0 = all.Min(p => p.First), x1 = all.Max(p => p.First), y0 = all.Min(p => p.Second), y1 = all.Max(p => p.Second);
            (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
            half = Math.Max(Math.Max(x1 - x0, y1 - y0) / 2 * 1.25, 1e-3);
        }
        const int n = 90;
        double[] gx = SweepGrid.Linspace(cx - half, cx + half, n), gy = SweepGrid.Linspace(cy - half, cy + half, n);
        double l0 = 1e-3 * (Math.Abs(valley.C) * (Math.Max(Math.Abs(cx), Math.Abs(cy)) + half) + 1e-12);
        var fig = new MapFigure("Paths on the narrowing valley", gx, "θ₁", gy, "θ₂", subtitle) { Height = 560 }
            .Values((j, i) =>
            {
                double l = valley.Loss([gx[i], gy[j]]);
                return Math.Sign(l) * Math.Log10(1 + Math.Abs(l) / l0);
            }, "", colormap: Palette.Shade, bands: 25, colourBar: false);

        for (int k = 0; k < runs.Count; k++)
        {
            var (id, lr, path) = runs[k];
            int stride = Math.Max(1, path.X.Length / 400); // ~400 vertices per path keeps the file small
            var pts = Enumerable.Range(0, path.X.Length).Where(t => t % stride == 0 || t == path.X.Length - 1).Select(t => (path.X[t], path.Y[t]));
            fig.Curve(pts, Palette.Optimizer(id), $"{id} (lr {LogAxis.Label(lr)})", width: 2 + 2.5f * (runs.Count - 1 - k), opacity: 0.9);
        }
        var starts = runs.Where(r => r.Path.X.Length > 0).Select(r => (r.Path.X[0], r.Path.Y[0])).Distinct().ToList();
        foreach (var (x, y) in starts)
            fig.Marker(x, y, MarkerShape.OpenCircle, "#000000", starts.Count == 1 ? "start" : null, size: 14);
        for (int k = 0; k < runs.Count; k++)
        {
            var (id, _, path) = runs[k];
            int last = Enumerable.Range(0, path.X.Length).LastOrDefault(t => double.IsFinite(path.X[t]) && double.IsFinite(path.Y[t]), -1);
            if (last >= 0)
                fig.Marker(path.X[last], path.Y[last], EndShapes[k % EndShapes.Length], Palette.Optimizer(id), last == path.X.Length - 1 ? $"{id} end" : $"{id} end (diverged after step {last})");
        }
        return fig.Note("shade: loss, darker = lower (log scale)");
    }

    /// <summary>Mean loss against step, one line per optimizer in its paper colour (log y: the losses span decades).</summary>
    public static string LossCurves(IReadOnlyList<(string Id, double Lr, double[] MeanLoss)> curves, string subtitle) =>
        LossChart(curves, subtitle).ToSvg();

    /// <summary>The chart behind <see cref="LossCurves"/>.</summary>
    public static LineChart LossChart(IReadOnlyList<(string Id, double Lr, double[] MeanLoss)> curves, string subtitle)
    {
        ArgumentNullException.ThrowIfNull(curves);
        // The valley's loss −c·u is negative once the run moves along it, so a log axis only fits all-positive curves.
        bool positive = curves.All(c => c.MeanLoss.Where(double.IsFinite).All(v => v > 0));
        var fig = new LineChart { Title = "Loss along the run", Subtitle = subtitle, XLabel = "step", YLabel = "mean loss over replicates", LogY = positive };
        foreach (var (id, lr, loss) in curves)
            fig.Add($"{id} (lr {LogAxis.Label(lr)})", loss.Select((l, t) => ((double)t, l)), Palette.Optimizer(id));
        return fig;
    }
}
