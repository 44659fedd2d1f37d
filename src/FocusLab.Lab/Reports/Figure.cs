using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ScottPlot;
using SkiaSharp;

namespace FocusLab.Lab.Reports;

/// <summary>
/// A finished figure: one or more ScottPlot plots stacked top to bottom, each <see cref="Width"/> wide.
/// <see cref="ToSvg"/> gives one SVG document that can be inlined into HTML (no XML prolog, element ids made
/// unique per figure, embedded bitmaps drawn pixel-sharp); <see cref="ToPng"/> gives the same drawing as PNG.
/// The plots stay reachable (<see cref="Panels"/>) so tests can check what was drawn.
/// </summary>
public sealed partial class Figure
{
    private readonly List<(Plot Plot, int Height)> _panels = [];

    /// <summary>A figure of one plot.</summary>
    public Figure(Plot plot, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"figure size {width}×{height} must be positive.");
        Width = width;
        _panels.Add((plot, height));
    }

    private Figure(int width, IEnumerable<(Plot, int)> panels)
    {
        Width = width;
        _panels.AddRange(panels);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels (all panels).</summary>
    public int Height => _panels.Sum(p => p.Height);

    /// <summary>The plots, top to bottom.</summary>
    public IReadOnlyList<Plot> Panels => _panels.Select(p => p.Plot).ToArray();

    /// <summary>The first (or only) plot.</summary>
    public Plot Plot => _panels[0].Plot;

    /// <summary>A new ScottPlot plot set up in the figures' one style (embedded font, white background).</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        PlotFont.Apply(plot);
        plot.Axes.Title.Label.FontSize = 15;
        plot.Axes.Title.Label.Bold = true;
        // The label keeps the typeface it resolved when its font name was set, so hand it the bold one.
        plot.Axes.Title.Label.Font = PlotFont.Bold;
        plot.Axes.Bottom.Label.FontSize = 13;
        plot.Axes.Left.Label.FontSize = 13;
        plot.Legend.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = LinearTicks();
        plot.Axes.Left.TickGenerator = LinearTicks();
        return plot;
    }

    /// <summary>ScottPlot's automatic linear ticks, labelled by <see cref="LogAxis.TickLabel"/> (no thousands separators, no float noise).</summary>
    public static ScottPlot.TickGenerators.NumericAutomatic LinearTicks() => new() { LabelFormatter = LogAxis.TickLabel };

    /// <summary>Sets a plot's bold title and, when given, a smaller plain line under it.</summary>
    public static void Titles(Plot plot, string title, string? subtitle)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Title(title);
        if (string.IsNullOrEmpty(subtitle)) return;
        var sub = new ScottPlot.Panels.TitlePanel();
        sub.Label.Text = subtitle;
        sub.Label.FontName = PlotFont.Family;
        sub.Label.FontSize = 11;
        sub.Label.Bold = false;
        sub.Label.ForeColor = Colors.Black.WithLightness(0.3f);
        plot.Axes.AddPanel(sub);
    }

    /// <summary>
    /// Several figures as panels of one, top to bottom (widths may differ; the widest sets the figure's).
    /// <paramref name="title"/>, when given, becomes a first line of the top panel's title.
    /// </summary>
    public static Figure Stack(string? title, params Figure[] figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        if (figures.Length == 0) throw new ArgumentException("Figure.Stack needs at least one figure.", nameof(figures));
        var panels = figures.SelectMany(f => f._panels).ToList();
        if (!string.IsNullOrEmpty(title))
        {
            var top = panels[0].Plot.Axes.Title.Label;
            top.Text = string.IsNullOrEmpty(top.Text) ? title : title + "\n" + top.Text;
        }
        return new Figure(figures.Max(f => f.Width), panels);
    }

    /// <summary>Renders every panel on <paramref name="canvas"/>, top to bottom.</summary>
    private void Render(SKCanvas canvas)
    {
        canvas.Clear(SKColors.White);
        float top = 0;
        foreach (var (plot, height) in _panels)
        {
            // Each panel draws in its own clipped box: ScottPlot clears the canvas before drawing.
            canvas.Save();
            canvas.ClipRect(SKRect.Create(0, top, Width, height));
            canvas.Translate(0, top);
            plot.Render(canvas, new PixelRect(0, Width, height, 0));
            canvas.Restore();
            top += height;
        }
    }

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {Width}×{Height} surface.");
        Render(surface.Canvas);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>The figure as an SVG document, ready to be written to a file or inlined into HTML.</summary>
    public string ToSvg()
    {
        // ScottPlot draws a plot twice when its layout is not settled yet (the second pass after measuring tick
        // labels); on a vector canvas both passes would stay in the file, so settle the layout off-screen first.
        foreach (var (plot, height) in _panels) plot.RenderInMemory(Width, height);
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (var canvas = SKSvgCanvas.Create(SKRect.Create(Width, Height), managed))
            Render(canvas);
        return Tidy(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Writes <see cref="ToSvg"/> (for a .svg path) or <see cref="ToPng"/> (for .png) atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".svg": AtomicFile.WriteText(path, ToSvg()); break;
            case ".png": byte[] png = ToPng(); AtomicFile.Write(path, s => s.Write(png)); break;
            default: throw new ArgumentException($"cannot save a figure as '{path}': use a .svg or .png file name.", nameof(path));
        }
    }

    /// <inheritdoc cref="ToSvg"/>
    public override string ToString() => ToSvg();

    /// <summary>
    /// Makes Skia's SVG safe to inline many times in one HTML page: drops the XML prolog, prefixes every
    /// element id (Skia numbers clip paths from 0 in each document, and a page resolves url(#id) to the first
    /// element with that id, so the second figure would be clipped to the first one's frame) with a hash of
    /// the document, draws embedded bitmaps (heatmaps) without smoothing, and gives text a fallback font.
    /// </summary>
    internal static string Tidy(string svg)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException("SkiaSharp produced no <svg> element.");
        svg = svg[start..];
        // Skia names ids from a counter shared by the whole process: renumber them in document order so the
        // same figure always gives the same bytes, then prefix them with a hash of the result.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        svg = IdReference().Replace(svg, m =>
        {
            if (!names.TryGetValue(m.Groups[2].Value, out var name)) names[m.Groups[2].Value] = name = "c" + names.Count;
            return m.Groups[1].Value + name;
        });
        string prefix = "f" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(svg)))[..8] + "_";
        svg = IdReference().Replace(svg, m => m.Groups[1].Value + prefix + m.Groups[2].Value);
        svg = svg.Replace("<image ", "<image style=\"image-rendering:pixelated\" ", StringComparison.Ordinal);
        svg = FontFamily().Replace(svg, m => $"font-family=\"{m.Groups[1].Value}, {PlotFont.SvgFallback}\"");
        return svg.EndsWith('\n') ? svg : svg + "\n";
    }

    [GeneratedRegex("(id=\"|url\\(#|href=\"#)([A-Za-z0-9_]+)")]
    private static partial Regex IdReference();

    [GeneratedRegex("font-family=\"([^\",]*)\"")]
    private static partial Regex FontFamily();
}
