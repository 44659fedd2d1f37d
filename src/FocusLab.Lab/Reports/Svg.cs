using System.Globalization;
using System.Security;
using System.Text;

namespace FocusLab.Lab.Reports;

/// <summary>Minimal SVG writer: shapes and text in pixel coordinates (y down), invariant-culture numbers.</summary>
public sealed class Svg(double width, double height)
{
    private readonly StringBuilder _body = new();
    public double Width { get; } = width;
    public double Height { get; } = height;

    public static string F(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);
    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    /// <param name="crisp">Turn off anti-aliasing, so adjacent map cells leave no hairline gaps.</param>
    public Svg Rect(double x, double y, double w, double h, string fill, string? stroke = null, string? title = null, bool crisp = false)
    {
        _body.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"{fill}\"");
        if (crisp) _body.Append(" shape-rendering=\"crispEdges\"");
        if (stroke is not null) _body.Append($" stroke=\"{stroke}\"");
        _body.Append(title is null ? "/>\n" : $"><title>{Esc(title)}</title></rect>\n");
        return this;
    }

    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null)
    {
        _body.Append($"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\"");
        if (dash is not null) _body.Append($" stroke-dasharray=\"{dash}\"");
        _body.Append("/>\n");
        return this;
    }

    public Svg Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1.5, string? dash = null, double opacity = 1)
    {
        var pts = string.Join(" ", points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => $"{F(p.X)},{F(p.Y)}"));
        if (pts.Length == 0) return this;
        _body.Append($"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\" stroke-linejoin=\"round\"");
        if (dash is not null) _body.Append($" stroke-dasharray=\"{dash}\"");
        if (opacity < 1) _body.Append($" stroke-opacity=\"{F(opacity)}\"");
        _body.Append("/>\n");
        return this;
    }

    public Svg Circle(double x, double y, double r, string fill, string? stroke = null)
    {
        _body.Append($"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{F(r)}\" fill=\"{fill}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}/>\n");
        return this;
    }

    public Svg Text(double x, double y, string text, double size = 12, string anchor = "middle", double rotate = 0, string weight = "normal")
    {
        string tr = rotate != 0 ? $" transform=\"rotate({F(rotate)} {F(x)} {F(y)})\"" : "";
        _body.Append($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{F(size)}\" text-anchor=\"{anchor}\" font-weight=\"{weight}\"{tr}>{Esc(text)}</text>\n");
        return this;
    }

    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(Width)}\" height=\"{F(Height)}\" viewBox=\"0 0 {F(Width)} {F(Height)}\" font-family=\"Helvetica, Arial, sans-serif\">\n" +
        $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{_body}</svg>\n";
}
