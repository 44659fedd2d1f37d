namespace FocusLab.Lab.Reports;

/// <summary>A line plot with linear or log axes, several labelled series and a legend.</summary>
public sealed class LineFigure(string title, string xLabel, string yLabel, string? subtitle = null, bool logX = false, bool logY = false)
{
    private readonly List<(string Label, string Colour, List<(double X, double Y)> Points, string? Dash)> _series = [];

    public LineFigure Series(string label, string colour, IEnumerable<(double X, double Y)> points, string? dash = null)
    {
        _series.Add((label, colour, points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logX || p.X > 0) && (!logY || p.Y > 0)).ToList(), dash));
        return this;
    }

    public double? YMin { get; init; }
    public double? YMax { get; init; }

    public override string ToString()
    {
        const double left = 80, top = 58, w = 460, h = 360;
        var svg = new Svg(720, 480);
        svg.Text(left + w / 2, 24, title, 15, weight: "bold");
        if (subtitle is not null) svg.Text(left + w / 2, 42, subtitle, 11);
        svg.Text(left + w / 2, top + h + 42, xLabel, 13);
        svg.Text(22, top + h / 2, yLabel, 13, rotate: -90);
        var all = _series.SelectMany(s => s.Points).ToList();
        if (all.Count == 0) { svg.Text(left + w / 2, top + h / 2, "no finite data", 14); return svg.ToString(); }
        double y0 = YMin ?? all.Min(p => p.Y), y1 = YMax ?? all.Max(p => p.Y);
        if (!logY && y0 == y1) { y0 -= 1; y1 += 1; }
        var xs = new AxisScale(all.Min(p => p.X), all.Max(p => p.X), left, left + w, logX);
        var ys = new AxisScale(y0, y1, top + h, top, logY);
        svg.Rect(left, top, w, h, "none", "#333");
        foreach (var t in xs.Ticks()) { double px = xs[t]; svg.Line(px, top, px, top + h, "#e5e5e5").Line(px, top + h, px, top + h + 5, "#333").Text(px, top + h + 19, AxisScale.Label(t), 11); }
        foreach (var t in ys.Ticks()) { double py = ys[t]; svg.Line(left, py, left + w, py, "#e5e5e5").Line(left - 5, py, left, py, "#333").Text(left - 8, py + 4, AxisScale.Label(t), 11, "end"); }
        double ly = top + 10;
        foreach (var (label, colour, pts, dash) in _series)
        {
            svg.Polyline(pts.Select(p => (xs[p.X], ys[Math.Clamp(p.Y, Math.Min(y0, y1), Math.Max(y0, y1))])), colour, 2, dash);
            if (pts.Count <= 120) foreach (var p in pts) svg.Circle(xs[p.X], ys[Math.Clamp(p.Y, Math.Min(y0, y1), Math.Max(y0, y1))], 2.3, colour);
            svg.Line(left + w + 20, ly - 4, left + w + 38, ly - 4, colour, 2.5, dash).Text(left + w + 44, ly, label, 12, "start");
            ly += 22;
        }
        return svg.ToString();
    }
}
