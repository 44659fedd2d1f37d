using System.Globalization;
using System.Xml.Linq;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Tests.Reports;

public class LineChartTests
{
    private static XElement[] Elements(string svg, string name) => XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == name).ToArray();

    private static (double X, double Y)[] Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ').Select(p => p.Split(',')).Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();

    [Fact]
    public void Non_finite_points_break_the_line_and_log_axes_skip_non_positive_values()
    {
        var chart = new LineChart { LogY = true }.Add("a", [(1, 1), (2, 10), (3, double.NaN), (4, 100), (5, 1000), (6, -1), (7, 1)]);
        var lines = Elements(chart.ToSvg(), "polyline");
        Assert.Equal([2, 2], lines.Select(l => Points(l).Length));
        // Log y: equal ratios are equal pixel distances (y grows downwards).
        var (first, second) = (Points(lines[0]), Points(lines[1]));
        Assert.Equal(first[0].Y - first[1].Y, second[0].Y - second[1].Y, 1);
        Assert.Equal(first[0].Y - first[1].Y, first[1].Y - second[0].Y, 1);
    }

    [Fact]
    public void Categorical_axes_label_each_position_and_stacked_panels_form_one_document()
    {
        var a = new LineChart { Title = "first panel", XCategories = ["0", "0.1", "random"] }.AddValues("adam", [3, 2, 1]);
        var b = new LineChart { Title = "second panel", XCategories = ["0", "0.1", "random"], ReferenceY = 0 }.AddValues("sgd", [-1, 1, 2], dashed: true);
        string svg = LineChart.Stack("both", a, b);
        var doc = XDocument.Parse(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Equal((a.Height + b.Height + 34).ToString(CultureInfo.InvariantCulture), doc.Root.Attribute("height")!.Value);
        var texts = Elements(svg, "text").Select(t => t.Value).ToArray();
        Assert.Contains("first panel", texts);
        Assert.Contains("second panel", texts);
        Assert.Equal(2, texts.Count(t => t == "random"));
        var lines = Elements(svg, "polyline");
        Assert.Equal(2, lines.Length);
        Assert.True(Points(lines[1]).All(p => p.Y > a.Height + 34), "the second panel's line lies below the first panel");
        Assert.Contains(Elements(svg, "line"), l => l.Attribute("stroke-dasharray")?.Value == "2,3"); // reference line at 0
        Assert.Equal(Points(lines[0])[2].X, Points(lines[1])[2].X, 6); // the same category sits at the same x
    }

    [Fact]
    public void A_fixed_y_range_clamps_points_to_the_frame_and_close_ticks_get_distinct_labels()
    {
        var chart = new LineChart { YMin = 0, YMax = 1, Height = 400 }.Add("a", [(0, 0.5), (1, 5)]);
        var pts = Points(Elements(chart.ToSvg(), "polyline").Single());
        var frame = Elements(chart.ToSvg(), "rect").Single(r => r.Attribute("fill")!.Value == "none");
        Assert.Equal(double.Parse(frame.Attribute("y")!.Value, CultureInfo.InvariantCulture), pts[1].Y, 6);

        var fine = new LineChart().Add("a", [(0, 2.3010), (1, 2.3025)]);
        var labels = Elements(fine.ToSvg(), "text").Select(t => t.Value).Where(t => t.StartsWith("2.30")).ToArray();
        Assert.True(labels.Length >= 3);
        Assert.Equal(labels.Length, labels.Distinct().Count());
    }
}
