using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Reports;

/// <summary>Figures of single runs on the 2-D valley: paths over the loss landscape (FOCUS fig. 1c) and loss curves (fig. 4).</summary>
public static class ValleyFigures
{
    /// <summary>
    /// Paths drawn over a shaded map of the loss. The shading uses sign(L)·log10(1 + |L|/L₀) so both the
    /// flat start and the deep, narrow end of the valley stay readable.
    /// </summary>
    public static string Trajectories(NarrowingValley2D valley, IReadOnlyList<(string Id, double Lr, ToyRun.Path Path)> runs, string subtitle)
    {
        var all = runs.SelectMany(r => r.Path.X.Zip(r.Path.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        double span = all.Count == 0 ? 1 : Math.Max(all.Max(p => Math.Max(Math.Abs(p.First), Math.Abs(p.Second))), 1e-3) * 1.1;
        const int n = 90;
        var grid = SweepGrid.Linspace(-span, span, n);
        var val = new double[n, n];
        double l0 = 1e-3 * (Math.Abs(valley.C) * span + 1e-12);
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++)
        {
            double l = valley.Loss([grid[i], grid[j]]);
            val[j, i] = Math.Sign(l) * Math.Log10(1 + Math.Abs(l) / l0);
        }
        double lo = val.Cast<double>().Min(), hi = val.Cast<double>().Max();
        var fig = new HeatmapFigure("Paths on the narrowing valley", grid, "θ₁", grid, "θ₂", subtitle)
            .Cells((j, i) => Palette.Grey(Math.Round(24 * (val[j, i] - lo) / Math.Max(hi - lo, 1e-12)) / 24)); // 25 shades: contour-like bands
        foreach (var (id, lr, path) in runs)
        {
            int stride = Math.Max(1, path.X.Length / 400); // ~400 vertices per path keeps the file small
            var pts = Enumerable.Range(0, path.X.Length).Where(k => k % stride == 0 || k == path.X.Length - 1).Select(k => (path.X[k], path.Y[k]));
            // Dashes keep overlapping paths distinguishable.
            string? dash = id switch { "signum" => "7 4", "focus" => "2 3", _ => null };
            fig.Curve(pts, Palette.Optimizer(id), $"{id} (lr {AxisScale.Label(lr)})", dash);
        }
        return fig.LegendText("shade: loss (darker = lower)", 10).ToString();
    }

    public static string LossCurves(IReadOnlyList<(string Id, double Lr, double[] MeanLoss)> curves, string subtitle)
    {
        var fig = new LineChart { Title = "Loss along the run", Subtitle = subtitle, XLabel = "step", YLabel = "mean loss over replicates" };
        foreach (var (id, lr, loss) in curves)
            fig.Add($"{id} (lr {AxisScale.Label(lr)})", loss.Select((l, t) => ((double)t, l)), Palette.Optimizer(id));
        return fig.ToSvg();
    }
}
