using FocusLab.Lab.Reports;
using ScottPlot.Plottables;
using static FocusLab.Lab.Tests.Reports.FigureAssert;

namespace FocusLab.Lab.Tests.Reports;

public class BarChartTests
{
    [Fact]
    public void Grouped_bars_on_a_log_axis_rise_from_the_decade_below_and_values_it_cannot_show_are_marked()
    {
        var chart = new BarChart { Title = "ratio", YLabel = "÷ sgd", Categories = ["sgd", "adam", "adafactor"], LogY = true, ReferenceY = 1 }
            .Add("first", "#1f77b4", [1, 0.02, 0.5])
            .Add("second", "#d62728", [1, double.NaN, 300]);
        var figure = chart.ToFigure();
        var plots = figure.Plot.GetPlottables<BarPlot>().ToArray();
        Assert.Equal(2, plots.Length);
        Assert.Equal(3, plots[0].Bars.Count);
        Assert.Equal(2, plots[1].Bars.Count); // NaN: no bar
        Assert.Equal("n/a", Assert.Single(figure.Plot.GetPlottables<Text>()).LabelText);
        Assert.All(plots.SelectMany(p => p.Bars), b => Assert.Equal(-2, b.ValueBase, 12)); // floor(log10 0.02)
        Assert.Equal(Math.Log10(300), plots[1].Bars[1].Value, 12);
        // Bars of one group sit side by side around the group's position.
        Assert.True(plots[0].Bars[1].Position < 1 && plots[1].Bars[1].Position > 1);
        var limits = Limits(figure);
        Assert.True(limits.Bottom <= -2 && limits.Top > Math.Log10(300) + 0.05, $"y {limits.Bottom}..{limits.Top}: the tallest bar needs headroom");
        var texts = Texts(chart.ToSvg());
        Assert.All(["sgd", "adam", "adafactor", "first", "second", "ratio"], t => Assert.Contains(t, texts));
    }

    [Fact]
    public void Linear_bars_start_at_zero_and_cover_negative_values()
    {
        var figure = new BarChart { Categories = ["a", "b"] }.Add("s", "#000000", [-2, 5]).ToFigure();
        var limits = Limits(figure);
        Assert.True(limits.Bottom <= -2 && limits.Top >= 5);
        Assert.All(figure.Plot.GetPlottables<BarPlot>().Single().Bars, b => Assert.Equal(0, b.ValueBase));
    }
}
