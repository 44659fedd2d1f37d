using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FocusLab.Lab.Reports;
using ScottPlot;
using SkiaSharp;

namespace FocusLab.Lab.Tests.Reports;

/// <summary>Reads back what a figure drew: its SVG text, its stroked paths, and the colour of a PNG pixel at data coordinates.</summary>
internal static partial class FigureAssert
{
    public static XElement[] Elements(string svg, string name) =>
        XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == name).ToArray();

    /// <summary>Every text element's content, trimmed (Skia writes it between line breaks).</summary>
    public static string[] Texts(string svg) => Elements(svg, "text").Select(t => t.Value.Trim()).ToArray();

    /// <summary>The stroked (unfilled) paths drawn in <paramref name="hex"/> (upper case, e.g. "#123456").</summary>
    public static XElement[] StrokedPaths(string svg, string hex) =>
        Elements(svg, "path").Where(p => p.Attribute("fill")?.Value == "none" && string.Equals(p.Attribute("stroke")?.Value, hex, StringComparison.OrdinalIgnoreCase)).ToArray();

    /// <summary>The number of separate pieces ("M" commands) of a path.</summary>
    public static int Pieces(XElement path) => path.Attribute("d")!.Value.Count(c => c == 'M');

    /// <summary>y pixel coordinates of every vertex of a path.</summary>
    public static double[] PathYs(XElement path) =>
        Vertex().Matches(path.Attribute("d")!.Value).Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToArray();

    [GeneratedRegex("[ML]([-0-9.e]+) ([-0-9.e]+)")]
    private static partial Regex Vertex();

    /// <summary>Renders the figure to PNG and returns the colour at data coordinates (x, y) of its first panel.</summary>
    public static SKColor PixelAt(Figure figure, double x, double y)
    {
        using var bitmap = SKBitmap.Decode(figure.ToPng());
        Assert.Equal(figure.Width, bitmap.Width);
        Assert.Equal(figure.Height, bitmap.Height);
        var p = figure.Plot.GetPixel(new Coordinates(x, y));
        return bitmap.GetPixel((int)Math.Round(p.X), (int)Math.Round(p.Y));
    }

    public static SKColor Rgb(string hex) => SKColor.Parse(hex);

    /// <summary>The axis limits the plot was last rendered with.</summary>
    public static AxisLimits Limits(Figure figure)
    {
        figure.ToPng();
        return figure.Plot.Axes.GetLimits();
    }
}
