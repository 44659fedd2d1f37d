namespace FocusLab.Lab.Reports;

/// <summary>
/// A pixel map over a grid (x values × y values) with axes, ticks, a legend or colour bar and optional
/// overlaid curves. Cells are drawn as horizontal runs of equal colour to keep the SVG small.
/// </summary>
public sealed class HeatmapFigure
{
    private const double Left = 70, Top = 58, PlotW = 440, PlotH = 400;
    private readonly Svg _svg = new(740, 520);
    private readonly double[] _x, _y;
    private readonly double _cw, _ch;
    private double _legendY = Top + 10;

    public HeatmapFigure(string title, double[] xValues, string xLabel, double[] yValues, string yLabel, string? subtitle = null)
    {
        _x = xValues; _y = yValues;
        _cw = PlotW / xValues.Length; _ch = PlotH / yValues.Length;
        XScale = new AxisScale(xValues[0], xValues[^1], Left + _cw / 2, Left + PlotW - _cw / 2, AxisScale.LooksLogSpaced(xValues));
        YScale = new AxisScale(yValues[0], yValues[^1], Top + PlotH - _ch / 2, Top + _ch / 2, AxisScale.LooksLogSpaced(yValues));
        _svg.Text(Left + PlotW / 2, 24, title, 15, weight: "bold");
        if (subtitle is not null) _svg.Text(Left + PlotW / 2, 42, subtitle, 11);
        _svg.Text(Left + PlotW / 2, Top + PlotH + 42, xLabel, 13);
        _svg.Text(22, Top + PlotH / 2, yLabel, 13, rotate: -90);
    }

    public AxisScale XScale { get; }
    public AxisScale YScale { get; }

    /// <summary>Fills every cell with <paramref name="colour"/>(y index, x index).</summary>
    public HeatmapFigure Cells(Func<int, int, string> colour)
    {
        for (int j = 0; j < _y.Length; j++)
        {
            double top = Top + PlotH - (j + 1) * _ch;
            int i = 0;
            while (i < _x.Length)
            {
                string c = colour(j, i); int k = i + 1;
                while (k < _x.Length && colour(j, k) == c) k++;
                // Overlap cells by a fraction of a pixel so anti-aliasing leaves no hairline gaps.
                _svg.Rect(Left + i * _cw, top, (k - i) * _cw + 0.3, _ch + 0.3, c, crisp: true);
                i = k;
            }
        }
        _svg.Rect(Left, Top, PlotW, PlotH, "none", "#333");
        foreach (var t in XScale.Ticks().Where(t => t >= Math.Min(XScale.Min, XScale.Max) - 1e-12 && t <= Math.Max(XScale.Min, XScale.Max) + 1e-12))
        {
            double px = XScale[t];
            _svg.Line(px, Top + PlotH, px, Top + PlotH + 5, "#333").Text(px, Top + PlotH + 19, AxisScale.Label(t), 11);
        }
        foreach (var t in YScale.Ticks())
        {
            double py = YScale[t];
            _svg.Line(Left - 5, py, Left, py, "#333").Text(Left - 8, py + 4, AxisScale.Label(t), 11, "end");
        }
        return this;
    }

    public HeatmapFigure Curve(IEnumerable<(double X, double Y)> points, string colour, string? legend, string? dash = null)
    {
        var pts = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => (XScale[p.X], YScale[p.Y])).ToList();
        _svg.Polyline(pts, "white", 4.5, dash, 0.8).Polyline(pts, colour, 2, dash);
        if (pts.Count <= 40) foreach (var (px, py) in pts) _svg.Circle(px, py, 2.2, colour);
        if (legend is not null) LegendLine(colour, legend, dash);
        return this;
    }

    public HeatmapFigure LegendSwatch(string colour, string label)
    {
        _svg.Rect(Left + PlotW + 25, _legendY - 11, 16, 14, colour, "#555").Text(Left + PlotW + 48, _legendY, label, 12, "start");
        _legendY += 22;
        return this;
    }

    public HeatmapFigure LegendLine(string colour, string label, string? dash = null)
    {
        _svg.Line(Left + PlotW + 25, _legendY - 4, Left + PlotW + 41, _legendY - 4, colour, 2, dash).Text(Left + PlotW + 48, _legendY, label, 12, "start");
        _legendY += 22;
        return this;
    }

    public HeatmapFigure LegendText(string text, double size = 11)
    {
        _svg.Text(Left + PlotW + 25, _legendY, text, size, "start");
        _legendY += 18;
        return this;
    }

    /// <summary>Vertical colour bar for <paramref name="ramp"/>(t), t ∈ [0, 1], labelled by <paramref name="label"/>(t).</summary>
    public HeatmapFigure ColourBar(Func<double, string> ramp, Func<double, string> label, string title)
    {
        double x = Left + PlotW + 30, y0 = _legendY + 10, h = 200;
        _svg.Text(x - 5, _legendY, title, 12, "start");
        for (int k = 0; k < 50; k++) _svg.Rect(x, y0 + h - (k + 1) * h / 50, 18, h / 50 + 0.3, ramp((k + 0.5) / 50));
        _svg.Rect(x, y0, 18, h, "none", "#555");
        foreach (double t in new[] { 0, 0.25, 0.5, 0.75, 1.0 }) _svg.Text(x + 24, y0 + h - t * h + 4, label(t), 11, "start");
        _legendY = y0 + h + 20;
        return this;
    }

    public override string ToString() => _svg.ToString();
}
