using FocusLab.Lab.Reports;
using ScottPlot;
using Palette = FocusLab.Lab.Reports.Palette;
using ScottPlot.Plottables;
using static FocusLab.Lab.Tests.Reports.FigureAssert;

namespace FocusLab.Lab.Tests.Reports;

public class MapFigureTests
{
    private static readonly double[] Xs = [0.1, 1, 10, 100];   // log-spaced: a log axis
    private static readonly double[] Ys = [0, 1, 2];           // linear

    [Fact]
    public void A_categorical_map_paints_each_cell_in_its_class_colour_with_y_index_0_at_the_bottom()
    {
        (string, string)[] classes = [("adam", Palette.Optimizer("adam")), ("signum", Palette.Optimizer("signum")), ("focus", Palette.Optimizer("focus"))];
        int Category(int y, int x) => y == 2 && x == 3 ? -1 : (x + y) % 3;
        var map = new MapFigure("winners", Xs, "a", Ys, "σ").Categories(Category, classes, "all diverged");
        Assert.True(map.LogX);
        Assert.False(map.LogY);
        var figure = map.ToFigure();
        Assert.Single(figure.Plot.GetPlottables<Heatmap>());
        Assert.Equal(["adam", "signum", "focus", "all diverged"], figure.Plot.Legend.ManualItems.Select(i => i.LabelText));
        for (int y = 0; y < Ys.Length; y++)
            for (int x = 0; x < Xs.Length; x++)
            {
                int k = Category(y, x);
                Assert.Equal(Rgb(k < 0 ? Palette.None : classes[k].Item2), PixelAt(figure, Math.Log10(Xs[x]), Ys[y]));
            }
        // The axes end half a cell beyond the first and last grid values.
        var limits = Limits(figure);
        Assert.Equal(-1.5, limits.Left, 9);
        Assert.Equal(2.5, limits.Right, 9);
        Assert.Equal(-0.5, limits.Bottom, 9);
        Assert.Equal(2.5, limits.Top, 9);
        Assert.Contains(figure.Plot.Axes.Bottom.TickGenerator.Ticks, t => t.IsMajor && t.Label == "10" && Math.Abs(t.Position - 1) < 1e-12);
    }

    [Fact]
    public void A_value_map_has_a_colour_bar_on_a_log_scale_when_asked_and_grey_where_values_are_missing()
    {
        var figure = new MapFigure("best lr", Xs, "a", Ys, "σ")
            .Values((y, x) => y == 0 && x == 0 ? double.NaN : Math.Pow(10, -3 + x), "learning rate", logScale: true).ToFigure();
        var map = figure.Plot.GetPlottables<Heatmap>().Single();
        Assert.Equal(-3, map.ManualRange!.Value.Min, 12); // log10 of the smallest value
        Assert.Equal(0, map.ManualRange!.Value.Max, 12);
        var bar = Assert.Single(figure.Plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        Assert.Equal("learning rate", bar.Label);
        Assert.Equal(Rgb(Palette.None), PixelAt(figure, Math.Log10(Xs[0]), Ys[0]));
        Assert.NotEqual(PixelAt(figure, Math.Log10(Xs[1]), Ys[0]), PixelAt(figure, Math.Log10(Xs[3]), Ys[0]));
        Assert.Contains("learning rate", Texts(figure.ToSvg()));
    }

    [Fact]
    public void Curves_break_at_missing_values_and_markers_and_notes_join_the_legend()
    {
        var figure = new MapFigure("winners", Xs, "a", Ys, "σ")
            .Categories((y, x) => 0, [("adam", Palette.Optimizer("adam"))])
            .Curve([(0.1, 0.5), (1, 1), (3, double.NaN), (10, 1.2), (100, 1.5)], "#123456", "σc")
            .Marker(1, 1, MarkerShape.OpenCircle, "#000000", "start")
            .Note("a note")
            .ToFigure();
        var curve = Assert.Single(figure.Plot.GetPlottables<Scatter>());
        Assert.Equal("σc", curve.LegendText);
        Assert.Equal(Math.Log10(100), curve.Data.GetScatterPoints()[4].X, 12); // log x axis: plotted at log10
        Assert.Single(figure.Plot.GetPlottables<Marker>());
        string svg = figure.ToSvg();
        Assert.Equal(2, Pieces(StrokedPaths(svg, "#123456")[0]));
        var texts = Texts(svg);
        Assert.All(["σc", "start", "a note", "adam"], t => Assert.Contains(t, texts));
    }

    [Fact]
    public void Bad_input_is_refused_with_the_problem_named()
    {
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => new MapFigure("m", [], "x", Ys, "y")).Message);
        Assert.Contains("Values(...) or Categories(...)", Assert.Throws<InvalidOperationException>(() => new MapFigure("m", Xs, "x", Ys, "y").ToFigure()).Message);
        Assert.Contains("only 1 classes", Assert.Throws<ArgumentOutOfRangeException>(() => new MapFigure("m", Xs, "x", Ys, "y").Categories((y, x) => 1, [("a", "#000000")])).Message);
    }
}
