using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Valley;
using FocusLab.Lab.Sweeps;
using ScottPlot.Plottables;
using static FocusLab.Lab.Tests.Reports.FigureAssert;

namespace FocusLab.Lab.Tests.Studies.Valley;

public class ValleyFiguresTests
{
    private static readonly NarrowingValley2D Valley = new(10, 0.1);

    private static (string, double, ToyRun.Path)[] Runs(int steps) =>
        new[] { ("adam", 0.01), ("signum", 0.003), ("focus", 0.003) }
            .Select(r => (r.Item1, r.Item2, ToyRun.Run(ToyOptimizer.Parse(r.Item1), Valley, r.Item2, 0.1, new GradientNoise(NoiseKind.Multiplicative, 0.5), 3, 0, steps)))
            .ToArray();

    [Fact]
    public void Trajectories_get_one_path_each_nested_widths_a_start_marker_and_an_end_marker_each()
    {
        var runs = Runs(300);
        var figure = ValleyFigures.TrajectoryMap(Valley, runs, "test").ToFigure();
        var paths = figure.Plot.GetPlottables<Scatter>().ToArray();
        Assert.Equal(3, paths.Length);
        // Earlier paths are wider, so a later one drawn on top of it leaves its colour visible at both sides.
        Assert.True(paths[0].LineWidth > paths[1].LineWidth && paths[1].LineWidth > paths[2].LineWidth);
        Assert.Equal(["adam (lr 0.01)", "signum (lr 0.003)", "focus (lr 0.003)"], paths.Select(p => p.LegendText));
        var markers = figure.Plot.GetPlottables<Marker>().ToArray();
        Assert.Equal(["start", "adam end", "signum end", "focus end"], markers.Select(m => m.LegendText));
        Assert.Equal((runs[0].Item3.X[0], runs[0].Item3.Y[0]), (markers[0].X, markers[0].Y));
        Assert.Equal((runs[2].Item3.X[^1], runs[2].Item3.Y[^1]), (markers[3].X, markers[3].Y));
        // Every point of every path lies inside the map.
        var limits = Limits(figure);
        foreach (var (_, _, path) in runs)
            Assert.All(path.X.Zip(path.Y), p => Assert.True(limits.Contains(p.First, p.Second), $"({p.First}, {p.Second}) outside the map"));
    }

    [Fact]
    public void Loss_curves_use_the_paper_colours()
    {
        var runs = Runs(50);
        var chart = ValleyFigures.LossChart(runs.Select(r => (r.Item1, r.Item2, r.Item3.Loss)).ToArray(), "test");
        Assert.Equal([Palette.Optimizer("adam"), Palette.Optimizer("signum"), Palette.Optimizer("focus")], chart.Series.Select(s => s.Color));
        Assert.Equal(3, chart.ToFigure().Plot.GetPlottables<Scatter>().Count());
    }
}
