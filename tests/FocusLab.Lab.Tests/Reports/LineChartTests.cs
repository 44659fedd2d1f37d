using FocusLab.Lab.Reports;
using ScottPlot;
using ScottPlot.Plottables;
using static FocusLab.Lab.Tests.Reports.FigureAssert;

namespace FocusLab.Lab.Tests.Reports;

public class LineChartTests
{
    [Fact]
    public void Each_series_is_one_line_and_the_axes_cover_every_finite_point()
    {
        var chart = new LineChart { Title = "t", XLabel = "step", YLabel = "loss" }
            .Add("a", [(0, 1), (10, 3)]).Add("b", [(2, -4), (5, 0.5)]).Add("c", [(-3, 2), (4, 7)], markers: false);
        var figure = chart.ToFigure();
        Assert.Equal(3, figure.Plot.GetPlottables<Scatter>().Count());
        Assert.Equal(2, figure.Plot.GetPlottables<Markers>().Count()); // "c" asked for none
        var limits = Limits(figure);
        Assert.True(limits.Left <= -3 && limits.Right >= 10, $"x limits {limits.Left}..{limits.Right} miss the data");
        Assert.True(limits.Bottom <= -4 && limits.Top >= 7, $"y limits {limits.Bottom}..{limits.Top} miss the data");
        string svg = chart.ToSvg();
        var texts = Texts(svg);
        Assert.Contains("t", texts);
        Assert.Contains("step", texts);
        Assert.All(["a", "b", "c"], name => Assert.Contains(name, texts)); // legend
    }

    [Fact]
    public void Missing_values_break_the_line_instead_of_bridging_it()
    {
        var chart = new LineChart().Add("gappy", [(1, 1), (2, 2), (3, double.NaN), (4, 4), (5, 5)], "#123456", markers: false);
        var paths = StrokedPaths(chart.ToSvg(), "#123456");
        Assert.Equal(2, paths.Length); // the line and its legend symbol
        var line = paths[0];
        Assert.Equal(2, Pieces(line));
        Assert.Equal(4, PathYs(line).Length); // the NaN point is not a vertex
    }

    [Fact]
    public void Log_axes_plot_log10_of_the_data_label_ticks_with_values_and_skip_non_positive_points()
    {
        var chart = new LineChart { LogY = true }.Add("a", [(1, 1), (2, 10), (3, double.NaN), (4, 100), (5, 1000), (6, -1), (7, 1)], "#123456", markers: false);
        var figure = chart.ToFigure();
        var limits = Limits(figure);
        Assert.InRange(limits.Bottom, -0.5, 0);  // log10(1) = 0 with a margin
        Assert.InRange(limits.Top, 3, 3.5);      // log10(1000) = 3
        var labels = figure.Plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor).ToDictionary(t => t.Label, t => t.Position);
        Assert.Equal(1, labels["10"], 12);
        Assert.Equal(3, labels["1000"], 12);
        var line = StrokedPaths(chart.ToSvg(), "#123456")[0];
        Assert.Equal(2, Pieces(line)); // broken at NaN; the lone point after −1 has no segment
        Assert.Equal(4, PathYs(line).Length);
        // Equal ratios are equal distances on the page.
        var ys = PathYs(line);
        Assert.Equal(ys[0] - ys[1], ys[2] - ys[3], 2);
    }

    [Fact]
    public void A_fixed_y_range_is_the_axis_range_and_points_beyond_it_are_kept_for_clipping()
    {
        var figure = new LineChart { YMin = 0, YMax = 1 }.Add("a", [(0, 0.5), (1, 5)]).ToFigure();
        var limits = Limits(figure);
        Assert.Equal(0, limits.Bottom, 12);
        Assert.Equal(1, limits.Top, 12);
        // The old writer moved the 5 onto the frame; the data keep it and the frame clips the line.
        Assert.Equal(5, figure.Plot.GetPlottables<Scatter>().Single().Data.GetScatterPoints()[1].Y);
    }

    [Fact]
    public void Explicit_and_categorical_x_ticks_label_exactly_the_given_positions()
    {
        var batch = new LineChart { LogX = true, XTickValues = [2, 8, 32] }.Add("a", [(2, 1), (8, 2), (32, 3)]).ToFigure();
        Limits(batch);
        Assert.Equal(["2", "8", "32"], batch.Plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label));
        var cats = new LineChart { XCategories = ["0", "0.1", "random"] }.AddValues("adam", [3, 2, 1]).ToFigure();
        Limits(cats);
        Assert.Equal(["0", "0.1", "random"], cats.Plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label));
    }

    [Fact]
    public void Stacked_panels_form_one_document_with_the_second_panel_below_the_first()
    {
        var a = new LineChart { Title = "first panel", XCategories = ["0", "0.1", "random"] }.AddValues("adam", [3, 2, 1], "#123456");
        var b = new LineChart { Title = "second panel", XCategories = ["0", "0.1", "random"], ReferenceY = 0 }.AddValues("sgd", [-1, 1, 2], "#654321", dashed: true);
        string svg = LineChart.Stack("both", a, b);
        var root = System.Xml.Linq.XDocument.Parse(svg).Root!;
        Assert.Equal((a.Height + b.Height).ToString(System.Globalization.CultureInfo.InvariantCulture), root.Attribute("height")!.Value);
        var texts = Texts(svg);
        Assert.Contains("second panel", texts);
        Assert.Contains(texts, t => t.Contains("both", StringComparison.Ordinal));
        Assert.Equal(2, texts.Count(t => t == "random"));
        // Rendered: the first panel's colour lies only in the top panel, the second's only in the bottom one.
        using var bitmap = SkiaSharp.SKBitmap.Decode(Figure.Stack("both", a.ToFigure(), b.ToFigure()).ToPng());
        Assert.Equal(a.Height + b.Height, bitmap.Height);
        var rows = (Top: new HashSet<int>(), Bottom: new HashSet<int>());
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c == Rgb("#123456")) rows.Top.Add(y);
                if (c == Rgb("#654321")) rows.Bottom.Add(y);
            }
        Assert.NotEmpty(rows.Top);
        Assert.NotEmpty(rows.Bottom);
        Assert.True(rows.Top.Max() < a.Height && rows.Bottom.Min() >= a.Height);
    }
}
