using ScottPlot;

namespace FocusLab.Lab.Reports;

/// <summary>
/// A map over a grid of x values × y values, drawn by ScottPlot: either continuous values (a heatmap with a
/// colour bar, optionally on a log₁₀ colour scale or in bands) or categories (each cell one colour, named in a
/// legend), with optional curves and markers on top. A grid that is geometrically spaced gets a log₁₀ axis.
/// Cells are centred on their grid values; y index 0 is at the bottom.
/// </summary>
public sealed class MapFigure
{
    private readonly string _title, _xLabel, _yLabel;
    private readonly string? _subtitle;
    private readonly double[] _x, _y;
    private Action<Plot>? _cells;
    private readonly List<Action<Plot>> _solid = [], _markers = [], _dashed = [];
    private readonly List<LegendItem> _notes = [];

    /// <summary>A map with the given axes; its cells are set by <see cref="Values"/> or <see cref="Categories"/>.</summary>
    public MapFigure(string title, IReadOnlyList<double> xValues, string xLabel, IReadOnlyList<double> yValues, string yLabel, string? subtitle = null)
    {
        ArgumentNullException.ThrowIfNull(xValues);
        ArgumentNullException.ThrowIfNull(yValues);
        if (xValues.Count == 0 || yValues.Count == 0) throw new ArgumentException($"a map needs at least one x and one y value (got {xValues.Count} × {yValues.Count}).");
        _title = title; _xLabel = xLabel; _yLabel = yLabel; _subtitle = subtitle;
        _x = [.. xValues]; _y = [.. yValues];
        LogX = LogAxis.LooksLogSpaced(_x);
        LogY = LogAxis.LooksLogSpaced(_y);
    }

    /// <summary>The x axis is log₁₀ (the x grid is geometrically spaced).</summary>
    public bool LogX { get; }
    /// <summary>The y axis is log₁₀ (the y grid is geometrically spaced).</summary>
    public bool LogY { get; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 760;
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 520;

    private double PX(double x) => LogX ? LogAxis.ToLog(x) : double.IsFinite(x) ? x : double.NaN;
    private double PY(double y) => LogY ? LogAxis.ToLog(y) : double.IsFinite(y) ? y : double.NaN;

    /// <summary>
    /// Continuous cells: <paramref name="value"/>(y index, x index); non-finite values (and non-positive ones on
    /// a log colour scale) are grey. <paramref name="bands"/> &gt; 1 rounds the colour scale into that many
    /// steps (contour-like bands). Viridis unless a <paramref name="colormap"/> is given; a colour bar labelled
    /// <paramref name="colourBarLabel"/> unless <paramref name="colourBar"/> is false.
    /// </summary>
    public MapFigure Values(Func<int, int, double> value, string colourBarLabel, bool logScale = false, IColormap? colormap = null, int bands = 0, bool colourBar = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        var z = new double[_y.Length, _x.Length];
        for (int j = 0; j < _y.Length; j++)
            for (int i = 0; i < _x.Length; i++)
            {
                double v = value(j, i);
                z[_y.Length - 1 - j, i] = logScale ? LogAxis.ToLog(v) : double.IsFinite(v) ? v : double.NaN;
            }
        var finite = z.Cast<double>().Where(double.IsFinite).ToArray();
        double lo = finite.Length > 0 ? finite.Min() : 0, hi = finite.Length > 0 ? finite.Max() : 1;
        if (bands > 1 && hi > lo)
            for (int r = 0; r < z.GetLength(0); r++)
                for (int c = 0; c < z.GetLength(1); c++)
                    if (double.IsFinite(z[r, c])) z[r, c] = lo + Math.Round((z[r, c] - lo) / (hi - lo) * (bands - 1)) / (bands - 1) * (hi - lo);
        _cells = plot =>
        {
            var map = AddHeatmap(plot, z);
            map.Colormap = colormap ?? new ScottPlot.Colormaps.Viridis();
            map.ManualRange = new ScottPlot.Range(lo, hi > lo ? hi : lo + 1);
            if (!colourBar) return;
            var bar = plot.Add.ColorBar(map);
            bar.Label = colourBarLabel;
            bar.LabelStyle.FontSize = 13;
            if (logScale) LogAxis.Apply(bar.Axis, lo, hi);
            else bar.Axis.TickGenerator = Figure.LinearTicks();
        };
        return this;
    }

    /// <summary>
    /// Categorical cells: <paramref name="category"/>(y index, x index) is an index into
    /// <paramref name="classes"/>, or −1 for none (grey, named <paramref name="noneLabel"/> in the legend when
    /// it occurs). Every class gets a legend swatch.
    /// </summary>
    public MapFigure Categories(Func<int, int, int> category, IReadOnlyList<(string Label, string Colour)> classes, string? noneLabel = null)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0) throw new ArgumentException("a categorical map needs at least one class.", nameof(classes));
        var z = new double[_y.Length, _x.Length];
        bool none = false;
        for (int j = 0; j < _y.Length; j++)
            for (int i = 0; i < _x.Length; i++)
            {
                int k = category(j, i);
                if (k >= classes.Count) throw new ArgumentOutOfRangeException(nameof(category), $"category {k} at ({j}, {i}) but only {classes.Count} classes.");
                none |= k < 0;
                z[_y.Length - 1 - j, i] = k < 0 ? double.NaN : k;
            }
        _cells = plot =>
        {
            var map = AddHeatmap(plot, z);
            map.Colormap = new CategoryColormap(classes.Select(c => Color.FromHex(c.Colour)).ToArray());
            map.ManualRange = CategoryColormap.Range(classes.Count);
            foreach (var (label, colour) in classes) plot.Legend.ManualItems.Add(Swatch(label, colour));
            if (none && noneLabel is not null) plot.Legend.ManualItems.Add(Swatch(noneLabel, Palette.None));
        };
        return this;
    }

    /// <summary>A curve in data coordinates (non-finite points break it), named in the legend when <paramref name="legend"/> is given.</summary>
    public MapFigure Curve(IEnumerable<(double X, double Y)> points, string colour, string? legend, LinePattern? pattern = null, float width = 2, double opacity = 1)
    {
        ArgumentNullException.ThrowIfNull(points);
        var pts = points.ToArray();
        double[] xs = pts.Select(p => PX(p.X)).ToArray(), ys = pts.Select(p => PY(p.Y)).ToArray();
        for (int k = 0; k < xs.Length; k++)
            if (!double.IsFinite(xs[k]) || !double.IsFinite(ys[k])) xs[k] = ys[k] = double.NaN;
        var linePattern = pattern ?? LinePattern.Solid;
        // Dashed curves are drawn last: ScottPlot passes a dash on to the shapes drawn after it, which Skia's
        // SVG writer cannot express (it warns on stderr and drops the dash).
        (linePattern.Intervals is not { Length: > 0 } ? _solid : _dashed).Add(plot =>
        {
            var line = plot.Add.ScatterLine(xs, ys, Color.FromHex(colour).WithOpacity(opacity));
            line.LineWidth = width;
            line.LinePattern = linePattern;
            line.MarkerShape = MarkerShape.None;
            line.MarkerSize = 0;
            line.LegendText = legend ?? "";
        });
        return this;
    }

    /// <summary>A marker at (x, y) in data coordinates, drawn above the solid curves.</summary>
    public MapFigure Marker(double x, double y, MarkerShape shape, string colour, string? legend, float size = 11, string outline = "#000000")
    {
        double px = PX(x), py = PY(y);
        if (!double.IsFinite(px) || !double.IsFinite(py)) return this;
        _markers.Add(plot =>
        {
            var m = plot.Add.Marker(px, py, shape, size, Color.FromHex(colour));
            m.MarkerLineColor = Color.FromHex(outline);
            m.MarkerLineWidth = 1.5f;
            m.LegendText = legend ?? "";
        });
        return this;
    }

    /// <summary>A line of text in the legend (no symbol).</summary>
    public MapFigure Note(string text)
    {
        _notes.Add(new LegendItem { LabelText = text });
        return this;
    }

    /// <summary>Builds the plot: cells, solid curves, markers, dashed curves, then the legend beside the map.</summary>
    public Figure ToFigure()
    {
        if (_cells is null) throw new InvalidOperationException("set the map's cells with Values(...) or Categories(...) before drawing it.");
        var plot = Figure.NewPlot();
        Figure.Titles(plot, _title, _subtitle);
        plot.XLabel(_xLabel);
        plot.YLabel(_yLabel);
        _cells(plot);
        foreach (var draw in _solid.Concat(_markers).Concat(_dashed)) draw(plot);
        plot.Legend.ManualItems.AddRange(_notes);
        var (x0, x1) = Edges(_x.Select(PX).ToArray());
        var (y0, y1) = Edges(_y.Select(PY).ToArray());
        plot.Axes.SetLimits(x0, x1, y0, y1);
        if (LogX) LogAxis.Apply(plot.Axes.Bottom, PX(_x.Min()), PX(_x.Max()));
        if (LogY) LogAxis.Apply(plot.Axes.Left, PY(_y.Min()), PY(_y.Max()));
        if (plot.Legend.ManualItems.Count > 0 || plot.GetPlottables().Any(p => p.LegendItems.Any(i => !string.IsNullOrEmpty(i.LabelText))))
            plot.ShowLegend(Edge.Right);
        return new Figure(plot, Width, Height);
    }

    /// <summary>The map as one SVG document.</summary>
    public string ToSvg() => ToFigure().ToSvg();

    /// <inheritdoc cref="ToSvg"/>
    public override string ToString() => ToSvg();

    private ScottPlot.Plottables.Heatmap AddHeatmap(Plot plot, double[,] z)
    {
        var map = plot.Add.Heatmap(z);
        var (x0, x1) = Edges(_x.Select(PX).ToArray());
        var (y0, y1) = Edges(_y.Select(PY).ToArray());
        map.Extent = new CoordinateRect(x0, x1, y0, y1);
        map.NaNCellColor = Color.FromHex(Palette.None);
        return map;
    }

    /// <summary>Outer edges of evenly spaced cells centred on the first and last grid value (plot units).</summary>
    private static (double, double) Edges(double[] centres)
    {
        if (centres.Length == 1) return (centres[0] - 0.5, centres[0] + 0.5);
        double first = centres[0], last = centres[^1], half = (last - first) / (centres.Length - 1) / 2;
        return first <= last ? (first - half, last + half) : (last + half, first - half);
    }

    private static LegendItem Swatch(string label, string colour) => new()
    {
        LabelText = label,
        FillColor = Color.FromHex(colour),
        OutlineColor = Color.FromHex("#555555"),
        OutlineWidth = 1,
    };

    /// <summary>Colour k of a list for category k (ScottPlot hands a colormap positions in [0, 1] over <see cref="Range"/>).</summary>
    private sealed class CategoryColormap(Color[] colours) : IColormap
    {
        public string Name => "categories";

        public static ScottPlot.Range Range(int count) => new(0, Math.Max(1, count - 1));

        public Color GetColor(double position)
        {
            if (!double.IsFinite(position)) return Color.FromHex(Palette.None);
            int k = (int)Math.Round(Math.Clamp(position, 0, 1) * Math.Max(1, colours.Length - 1));
            return colours[Math.Min(k, colours.Length - 1)];
        }
    }
}
