namespace FocusLab.Lab.Reports;

/// <summary>
/// One line of a <see cref="LineChart"/>. Points that are not finite (or not positive on a log axis) break the
/// line. Without a colour the chart's palette picks one by the series' position.
/// </summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string? Color = null, bool Dashed = false, bool Markers = true, string? Dash = null);

/// <summary>
/// The one SVG line chart of every study (no plotting library, no scripts): numeric x on a linear or log₁₀
/// axis — or categorical x (<see cref="XCategories"/>: series points at x = 0, 1, … are labelled by name) —
/// linear or log₁₀ y, optional fixed y range (values outside are clamped to the frame), a horizontal
/// reference line, explicit x ticks, a legend. <see cref="ToSvg"/> writes one standalone document;
/// <see cref="Stack"/> stacks several charts as panels of one document.
/// </summary>
public sealed class LineChart
{
    private static readonly string[] DefaultPalette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    public string Title { get; init; } = "";
    public string? Subtitle { get; init; }
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public bool LogX { get; init; }
    public bool LogY { get; init; }
    public int Width { get; init; } = 760;
    public int Height { get; init; } = 420;
    /// <summary>Fixed y range ends (data units); null = from the data, with a 5% margin on linear axes.</summary>
    public double? YMin { get; init; }
    public double? YMax { get; init; }
    /// <summary>Draw a dotted horizontal line at this y (e.g. 0 for an improvement).</summary>
    public double? ReferenceY { get; init; }
    /// <summary>Explicit x tick positions (e.g. the batch sizes); null = automatic.</summary>
    public double[]? XTickValues { get; init; }
    /// <summary>Categorical x axis: tick i (at x = i) is labelled XCategories[i].</summary>
    public string[]? XCategories { get; init; }
    public List<LineSeries> Series { get; } = [];

    /// <summary>Adds a series (fluent).</summary>
    public LineChart Add(string name, IEnumerable<(double X, double Y)> points, string? color = null, bool dashed = false, bool markers = true, string? dash = null)
    {
        Series.Add(new LineSeries(name, points.ToList(), color, dashed, markers, dash));
        return this;
    }

    /// <summary>Adds a series of one value per category (x = 0, 1, …).</summary>
    public LineChart AddValues(string name, IReadOnlyList<double> values, string? color = null, bool dashed = false) =>
        Add(name, values.Select((v, i) => ((double)i, v)), color, dashed);

    public string ToSvg()
    {
        var svg = new Svg(Width, Height);
        Render(svg, 0);
        return svg.ToString();
    }

    public override string ToString() => ToSvg();

    /// <summary>Several charts as panels stacked top to bottom in one SVG document under a common title.</summary>
    public static string Stack(string title, params LineChart[] panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        const int header = 34;
        int width = panels.Length == 0 ? 400 : panels.Max(p => p.Width);
        var svg = new Svg(width, header + panels.Sum(p => p.Height));
        svg.Text(width / 2.0, 22, title, 15, weight: "bold");
        double y = header;
        foreach (var p in panels) { p.Render(svg, y); y += p.Height; }
        return svg.ToString();
    }

    private bool Usable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!LogX || x > 0) && (!LogY || y > 0);

    private void Render(Svg svg, double top0)
    {
        const double left = 80, right = 190, top = 52, bottom = 56;
        double pw = Width - left - right, ph = Height - top - bottom, px0 = left, py0 = top0 + top;
        svg.Text(left + pw / 2, top0 + 22, Title, 14, weight: "bold");
        if (Subtitle is not null) svg.Text(left + pw / 2, top0 + 39, Subtitle, 11);
        svg.Text(left + pw / 2, py0 + ph + 42, XLabel, 12);
        svg.Text(22, py0 + ph / 2, YLabel, 12, rotate: -90);
        svg.Rect(px0, py0, pw, ph, "none", "#444");

        var pts = Series.SelectMany(s => s.Points).Where(p => Usable(p.X, p.Y)).ToList();
        if (pts.Count == 0) { svg.Text(px0 + pw / 2, py0 + ph / 2, "no finite data", 13); return; }
        double x0 = pts.Min(p => p.X), x1 = pts.Max(p => p.X);
        if (XCategories is { Length: > 0 } cats) { x0 = Math.Min(x0, 0); x1 = Math.Max(x1, cats.Length - 1); }
        var ys = pts.Select(p => p.Y).ToList();
        if (ReferenceY is { } r0 && (!LogY || r0 > 0)) ys.Add(r0);
        double y0 = YMin ?? ys.Min(), y1 = YMax ?? ys.Max();
        if (!LogY && YMin is null && YMax is null && y1 > y0) { double pad = 0.05 * (y1 - y0); y0 -= pad; y1 += pad; }
        if (LogY && !(y0 > 0)) y0 = ys.Where(v => v > 0).DefaultIfEmpty(1).Min();
        if (LogY && y1 <= y0) y1 = y0 * 10;
        var xs = new AxisScale(x0, x1, px0, px0 + pw, LogX);
        var yscale = new AxisScale(y0, y1, py0 + ph, py0, LogY);
        double lo = Math.Min(yscale.Min, yscale.Max), hi = Math.Max(yscale.Min, yscale.Max);
        double Y(double v) => yscale[Math.Clamp(v, lo, hi)];

        IEnumerable<(double At, string Label)> xTicks = XCategories is { } labels
            ? labels.Select((l, i) => ((double)i, l))
            : Labelled((XTickValues?.Where(v => double.IsFinite(v) && (!LogX || v > 0) && v >= xs.Min && v <= xs.Max) ?? Ticks(xs)).ToList(), LogX);
        foreach (var (at, label) in xTicks)
        {
            double px = xs[at];
            svg.Line(px, py0, px, py0 + ph, "#e5e5e5").Line(px, py0 + ph, px, py0 + ph + 5, "#444").Text(px, py0 + ph + 19, label, 11);
        }
        foreach (var (t, label) in Labelled(Ticks(yscale).ToList(), LogY))
        {
            double py = yscale[t];
            svg.Line(px0, py, px0 + pw, py, "#e5e5e5").Line(px0 - 5, py, px0, py, "#444").Text(px0 - 8, py + 4, label, 11, "end");
        }
        if (ReferenceY is { } r && (!LogY || r > 0) && r >= lo && r <= hi) svg.Line(px0, yscale[r], px0 + pw, yscale[r], "#000", 1, "2,3");

        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            string color = s.Color ?? DefaultPalette[i % DefaultPalette.Length];
            string? dash = s.Dash ?? (s.Dashed ? "6,4" : null);
            var segment = new List<(double, double)>();
            void Flush()
            {
                if (segment.Count > 1) svg.Polyline(segment, color, 2, dash);
                segment.Clear();
            }
            foreach (var (x, y) in s.Points)
            {
                if (!Usable(x, y)) { Flush(); continue; }
                var p = (xs[x], Y(y));
                segment.Add(p);
                if (s.Markers && s.Points.Count <= 120) svg.Circle(p.Item1, p.Item2, 2.5, color);
            }
            Flush();
            double ly = py0 + 10 + 18 * i;
            svg.Line(px0 + pw + 12, ly - 4, px0 + pw + 34, ly - 4, color, 2.5, dash).Text(px0 + pw + 40, ly, s.Name, 11, "start");
        }
    }

    /// <summary>Tick labels with as many decimals as the tick spacing needs (so close ticks never print alike).</summary>
    private static IEnumerable<(double At, string Label)> Labelled(List<double> ticks, bool log)
    {
        if (log || ticks.Count < 2) return ticks.Select(t => (t, AxisScale.Label(t)));
        double step = Enumerable.Range(1, ticks.Count - 1).Min(i => Math.Abs(ticks[i] - ticks[i - 1]));
        int decimals = 0;
        while (decimals < 8 && ticks.Any(t => Math.Abs(Math.Round(t, decimals) - t) > 1e-6 * step)) decimals++;
        return ticks.Select(t => (t, t == 0 ? "0"
            : Math.Abs(t) >= 1e5 ? t.ToString("0.##e0", System.Globalization.CultureInfo.InvariantCulture)
            : t.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The scale's ticks; a log axis spanning less than two decades also gets the 2× and 5× marks.</summary>
    private static IEnumerable<double> Ticks(AxisScale scale)
    {
        var ticks = scale.Ticks().ToList();
        if (!scale.Log || ticks.Count >= 2) return ticks;
        double lo = Math.Min(scale.Min, scale.Max), hi = Math.Max(scale.Min, scale.Max);
        var fine = new List<double>();
        for (int e = (int)Math.Floor(Math.Log10(lo)); e <= (int)Math.Ceiling(Math.Log10(hi)); e++)
            foreach (double m in new[] { 1.0, 2, 5 })
            {
                double v = m * Math.Pow(10, e);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) fine.Add(v);
            }
        return fine.Count >= 2 ? fine : [lo, hi];
    }
}
