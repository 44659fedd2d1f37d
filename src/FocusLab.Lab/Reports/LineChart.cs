using ScottPlot;
using ScottPlot.TickGenerators;

namespace FocusLab.Lab.Reports;

/// <summary>
/// One line of a <see cref="LineChart"/>. Points that are not finite (or not positive on a log axis) break the
/// line. Without a colour the chart's palette picks one by the series' position.
/// </summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string? Color = null, bool Dashed = false, bool Markers = true);

/// <summary>
/// The line chart of every study, drawn by ScottPlot: numeric x on a linear or log₁₀ axis — or categorical x
/// (<see cref="XCategories"/>: series points at x = 0, 1, … are labelled by name) — linear or log₁₀ y, an optional
/// fixed y range (lines leaving it are clipped at the frame, never drawn along it), a dotted horizontal reference
/// line, explicit x ticks, a legend beside the plot. <see cref="ToFigure"/> builds the plot; <see cref="ToSvg"/>
/// writes one standalone document; <see cref="Stack"/> stacks several charts as panels of one document.
/// </summary>
public sealed class LineChart
{
    /// <summary>Colours of series that name none, by position (matplotlib's tab10).</summary>
    public static readonly IReadOnlyList<string> DefaultPalette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    /// <summary>Points per series above which no markers are drawn (they would merge into a thick line).</summary>
    public const int MaxMarkedPoints = 120;

    /// <summary>Bold first line of the title.</summary>
    public string Title { get; init; } = "";
    /// <summary>Optional smaller line under the title (settings, provenance).</summary>
    public string? Subtitle { get; init; }
    /// <summary>x axis label.</summary>
    public string XLabel { get; init; } = "";
    /// <summary>y axis label.</summary>
    public string YLabel { get; init; } = "";
    /// <summary>Base-10 log x axis (non-positive x leave gaps).</summary>
    public bool LogX { get; init; }
    /// <summary>Base-10 log y axis (non-positive y leave gaps).</summary>
    public bool LogY { get; init; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 760;
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 420;
    /// <summary>Fixed lower y end (data units); null = from the data, with a 5% margin.</summary>
    public double? YMin { get; init; }
    /// <summary>Fixed upper y end (data units); null = from the data, with a 5% margin.</summary>
    public double? YMax { get; init; }
    /// <summary>Draw a dotted horizontal line at this y (e.g. 0 for an improvement).</summary>
    public double? ReferenceY { get; init; }
    /// <summary>Explicit x tick positions (e.g. the batch sizes); null = automatic.</summary>
    public double[]? XTickValues { get; init; }
    /// <summary>Categorical x axis: tick i (at x = i) is labelled XCategories[i].</summary>
    public string[]? XCategories { get; init; }
    /// <summary>The lines, in drawing (and legend) order.</summary>
    public List<LineSeries> Series { get; } = [];

    /// <summary>Adds a series (fluent).</summary>
    public LineChart Add(string name, IEnumerable<(double X, double Y)> points, string? color = null, bool dashed = false, bool markers = true)
    {
        ArgumentNullException.ThrowIfNull(points);
        Series.Add(new LineSeries(name, points.ToList(), color, dashed, markers));
        return this;
    }

    /// <summary>Adds a series of one value per category (x = 0, 1, …).</summary>
    public LineChart AddValues(string name, IReadOnlyList<double> values, string? color = null, bool dashed = false) =>
        Add(name, values.Select((v, i) => ((double)i, v)), color, dashed);

    /// <summary>The chart as one SVG document.</summary>
    public string ToSvg() => ToFigure().ToSvg();

    /// <inheritdoc cref="ToSvg"/>
    public override string ToString() => ToSvg();

    /// <summary>Several charts as panels stacked top to bottom in one SVG document under a common title.</summary>
    public static string Stack(string title, params LineChart[] panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        return Figure.Stack(title, panels.Select(p => p.ToFigure()).ToArray()).ToSvg();
    }

    private double MapX(double x) => LogX ? LogAxis.ToLog(x) : double.IsFinite(x) ? x : double.NaN;
    private double MapY(double y) => LogY ? LogAxis.ToLog(y) : double.IsFinite(y) ? y : double.NaN;

    /// <summary>Builds the ScottPlot plot: one scatter per series (in plot coordinates: log₁₀ of the data on log axes).</summary>
    public Figure ToFigure()
    {
        var plot = Figure.NewPlot();
        Figure.Titles(plot, Title, Subtitle);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);

        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            // A point missing either coordinate is a gap (ScottPlot breaks scatter lines at NaN).
            var px = new double[s.Points.Count];
            var py = new double[s.Points.Count];
            for (int k = 0; k < px.Length; k++)
            {
                double x = MapX(s.Points[k].X), y = MapY(s.Points[k].Y);
                bool ok = double.IsFinite(x) && double.IsFinite(y);
                px[k] = ok ? x : double.NaN;
                py[k] = ok ? y : double.NaN;
                if (ok) { xs.Add(x); ys.Add(y); }
            }
            var line = plot.Add.Scatter(px, py, Color.FromHex(s.Color ?? DefaultPalette[i % DefaultPalette.Count]));
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            line.MarkerShape = MarkerShape.None;
            line.MarkerSize = 0;
            // Markers are a plottable of their own, drawn before every line: ScottPlot hands a dashed line's path
            // effect on to the shapes drawn after it, and Skia's SVG writer prints a warning for each such shape.
            if (s.Markers && s.Points.Count <= MaxMarkedPoints)
            {
                var dots = plot.Add.Markers(px, py, MarkerShape.FilledCircle, 5, line.Color);
                plot.MoveToBack(dots);
            }
        }
        if (ReferenceY is { } r && double.IsFinite(MapY(r)))
        {
            plot.Add.HorizontalLine(MapY(r), 1.5f, Colors.Black, LinePattern.Dotted);
            ys.Add(MapY(r));
        }

        if (xs.Count == 0)
        {
            var note = plot.Add.Text("no finite data", 0.5, 0.5);
            note.Alignment = Alignment.MiddleCenter;
            note.LabelFontSize = 14;
            plot.Axes.SetLimits(0, 1, 0, 1);
        }
        else
        {
            double x0 = xs.Min(), x1 = xs.Max();
            if (XCategories is { Length: > 0 } cats) { x0 = Math.Min(x0, 0); x1 = Math.Max(x1, cats.Length - 1); }
            double y0 = YMin is { } lo && double.IsFinite(MapY(lo)) ? MapY(lo) : ys.Min();
            double y1 = YMax is { } hi && double.IsFinite(MapY(hi)) ? MapY(hi) : ys.Max();
            var (xa, xb) = Pad(x0, x1, XCategories is { Length: > 0 } ? 0.5 / Math.Max(1, x1 - x0) : 0.03);
            var (ya, yb) = YMin is null && YMax is null ? Pad(y0, y1, 0.05) : y1 > y0 ? (y0, y1) : Pad(y0, y1, 0.05);
            plot.Axes.SetLimits(xa, xb, ya, yb);
            if (XCategories is { } labels) plot.Axes.Bottom.TickGenerator = new NumericManual(labels.Select((_, i) => (double)i).ToArray(), labels);
            else if (XTickValues is { } at) plot.Axes.Bottom.TickGenerator = ExplicitTicks(at, x0, x1);
            else if (LogX) LogAxis.Apply(plot.Axes.Bottom, x0, x1);
            if (LogY) LogAxis.Apply(plot.Axes.Left, y0, y1);
        }
        if (Series.Any(s => !string.IsNullOrEmpty(s.Name))) plot.ShowLegend(Edge.Right);
        return new Figure(plot, Width, Height);
    }

    /// <summary>Ticks at the given x values only (log₁₀ positions on a log axis), each labelled with its value.</summary>
    private NumericManual ExplicitTicks(double[] values, double x0, double x1)
    {
        var ticks = new NumericManual();
        foreach (double v in values.Where(v => double.IsFinite(MapX(v))).Distinct())
            ticks.AddMajor(MapX(v), LogAxis.Label(v));
        if (LogX) foreach (double m in LogAxis.MinorTicks(x0, x1)) ticks.AddMinor(m);
        return ticks;
    }

    /// <summary>The range widened by <paramref name="fraction"/> of its span at each end (or by ±1 / ±5% when it is a single value).</summary>
    private static (double, double) Pad(double a, double b, double fraction)
    {
        if (b > a) { double pad = fraction * (b - a); return (a - pad, b + pad); }
        double half = a == 0 ? 1 : 0.05 * Math.Abs(a);
        return (a - half, b + half);
    }
}
