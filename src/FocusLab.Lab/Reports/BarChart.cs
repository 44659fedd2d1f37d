using ScottPlot;
using ScottPlot.TickGenerators;

namespace FocusLab.Lab.Reports;

/// <summary>
/// A grouped bar chart drawn by ScottPlot: one group per category, one bar per series in each group, on a
/// linear or log₁₀ y axis (ratios span orders of magnitude). A value a log axis cannot show (not positive, or
/// not finite) has no bar; "n/a" marks its place.
/// </summary>
internal sealed class BarChart
{
    private readonly List<(string Name, string Colour, double[] Values)> _series = [];

    /// <summary>Title (bold).</summary>
    public string Title { get; init; } = "";
    /// <summary>Optional smaller line under the title.</summary>
    public string? Subtitle { get; init; }
    /// <summary>y axis label.</summary>
    public string YLabel { get; init; } = "";
    /// <summary>The group names along x.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];
    /// <summary>Base-10 log y axis; bars then rise from the decade below the smallest value.</summary>
    public bool LogY { get; init; }
    /// <summary>A dotted horizontal line at this value (e.g. a ratio of 1).</summary>
    public double? ReferenceY { get; init; }
    /// <summary>Width in pixels; null = enough for every group.</summary>
    public int? Width { get; init; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 460;

    /// <summary>Adds a series: one value per category, in <paramref name="colour"/>.</summary>
    public BarChart Add(string name, string colour, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _series.Add((name, colour, values.ToArray()));
        return this;
    }

    private double Map(double v) => LogY ? LogAxis.ToLog(v) : double.IsFinite(v) ? v : double.NaN;

    /// <summary>Builds the plot: one ScottPlot bar plottable per series.</summary>
    public Figure ToFigure()
    {
        var plot = Figure.NewPlot();
        Figure.Titles(plot, Title, Subtitle);
        plot.YLabel(YLabel);
        int groups = Categories.Count, n = Math.Max(1, _series.Count);
        var shown = _series.SelectMany(s => s.Values).Select(Map).Where(double.IsFinite).ToArray();
        double lo = shown.Length > 0 ? shown.Min() : 0, hi = shown.Length > 0 ? shown.Max() : 1;
        // Bars rise from 0 on a linear axis, from the decade at or below the smallest value on a log one.
        double baseline = LogY ? Math.Floor(lo) : 0;
        double width = 0.8 / n;
        for (int s = 0; s < _series.Count; s++)
        {
            var (name, colour, values) = _series[s];
            var bars = new List<Bar>();
            for (int c = 0; c < groups; c++)
            {
                double position = c + (s - (n - 1) / 2.0) * width;
                double v = c < values.Length ? Map(values[c]) : double.NaN;
                if (!double.IsFinite(v))
                {
                    var na = plot.Add.Text("n/a", position, baseline);
                    na.Alignment = Alignment.LowerCenter;
                    na.LabelFontSize = 9;
                    continue;
                }
                bars.Add(new Bar { Position = position, Value = v, ValueBase = baseline, Size = width * 0.95, FillColor = Color.FromHex(colour), LineWidth = 0 });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = name;
            plottable.Color = Color.FromHex(colour);
        }
        if (ReferenceY is { } r && double.IsFinite(Map(r)))
        {
            plot.Add.HorizontalLine(Map(r), 1.5f, Colors.Black, LinePattern.Dotted);
            lo = Math.Min(lo, Map(r)); hi = Math.Max(hi, Map(r));
        }
        // Headroom above the tallest bar, so it never ends on the frame.
        double top = LogY ? Math.Max(hi + Math.Max(0.1, 0.05 * (hi - baseline)), baseline + 1) : Math.Max(hi, 0) + 0.05 * Math.Max(hi - Math.Min(lo, 0), 1e-12);
        double bottom = LogY ? baseline : Math.Min(lo, 0) - (lo < 0 ? 0.05 * (hi - lo) : 0);
        plot.Axes.SetLimits(-0.5, groups - 0.5, bottom, top);
        plot.Axes.Bottom.TickGenerator = new NumericManual(Enumerable.Range(0, groups).Select(c => (double)c).ToArray(), Categories.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0; // a tick mark would run into the slanted name
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 90;
        if (LogY) LogAxis.Apply(plot.Axes.Left, lo, hi);
        if (_series.Count > 0) plot.ShowLegend(Edge.Right);
        return new Figure(plot, Width ?? Math.Max(560, 260 + groups * (14 * n + 22)), Height);
    }

    /// <summary>The chart as one SVG document.</summary>
    public string ToSvg() => ToFigure().ToSvg();

    /// <inheritdoc cref="ToSvg"/>
    public override string ToString() => ToSvg();
}
