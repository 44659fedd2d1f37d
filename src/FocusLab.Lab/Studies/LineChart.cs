using System.Globalization;
using System.Net;
using System.Text;

namespace FocusLab.Lab.Studies;

/// <summary>One line of a <see cref="LineChart"/>; NaN y values break the line.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false, bool Markers = true);

/// <summary>
/// A small self-contained SVG line chart (no scripts, no external resources) for the study figures:
/// linear or log axes, automatic "nice" ticks, a legend. Kept minimal on purpose; the report
/// helper may replace it with a shared chart writer.
/// </summary>
public sealed class LineChart
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public bool LogX { get; init; }
    public bool LogY { get; init; }
    public int Width { get; init; } = 640;
    public int Height { get; init; } = 400;
    /// <summary>Draw a horizontal reference line at this y (e.g. 0 for an improvement).</summary>
    public double? ReferenceY { get; init; }
    /// <summary>Explicit x tick positions in data units (e.g. the batch sizes); null = automatic.</summary>
    public double[]? XTickValues { get; init; }
    public List<ChartSeries> Series { get; } = [];

    public string ToSvg()
    {
        const int left = 70, right = 160, top = 40, bottom = 55;
        int pw = Width - left - right, ph = Height - top - bottom;
        var pts = Series.SelectMany(s => s.Points).Where(p => Ok(p.X, LogX) && Ok(p.Y, LogY)).ToList();
        if (ReferenceY is { } refY) pts.Add((pts.Count > 0 ? pts[0].X : 1, refY));
        double x0 = pts.Count == 0 ? 0 : pts.Min(p => T(p.X, LogX)), x1 = pts.Count == 0 ? 1 : pts.Max(p => T(p.X, LogX));
        double y0 = pts.Count == 0 ? 0 : pts.Min(p => T(p.Y, LogY)), y1 = pts.Count == 0 ? 1 : pts.Max(p => T(p.Y, LogY));
        if (x1 - x0 < 1e-12) { x0 -= 0.5; x1 += 0.5; }
        if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
        double pad = 0.05 * (y1 - y0); y0 -= pad; y1 += pad;
        double Sx(double x) => left + (T(x, LogX) - x0) / (x1 - x0) * pw;
        double Sy(double y) => top + ph - (T(y, LogY) - y0) / (y1 - y0) * ph;

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Esc(Title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#444\"/>\n");
        foreach (double tx in XTickValues is { } xt ? xt.Where(v => Ok(v, LogX)).Select(v => T(v, LogX)) : Ticks(x0, x1, LogX))
        {
            double sx = left + (tx - x0) / (x1 - x0) * pw;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{sx:F1}\" y1=\"{top + ph}\" x2=\"{sx:F1}\" y2=\"{top + ph + 5}\" stroke=\"#444\"/><text x=\"{sx:F1}\" y=\"{top + ph + 18}\" text-anchor=\"middle\">{Label(tx, LogX)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{sx:F1}\" y1=\"{top}\" x2=\"{sx:F1}\" y2=\"{top + ph}\" stroke=\"#eee\"/>\n");
        }
        foreach (double ty in Ticks(y0, y1, LogY))
        {
            double sy = top + ph - (ty - y0) / (y1 - y0) * ph;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left - 5}\" y1=\"{sy:F1}\" x2=\"{left}\" y2=\"{sy:F1}\" stroke=\"#444\"/><text x=\"{left - 8}\" y=\"{sy + 4:F1}\" text-anchor=\"end\">{Label(ty, LogY)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{sy:F1}\" x2=\"{left + pw}\" y2=\"{sy:F1}\" stroke=\"#eee\"/>\n");
        }
        if (ReferenceY is { } r && Ok(r, LogY))
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{Sy(r):F1}\" x2=\"{left + pw}\" y2=\"{Sy(r):F1}\" stroke=\"#000\" stroke-dasharray=\"2,3\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + pw / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Esc(XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16,{top + ph / 2}) rotate(-90)\" text-anchor=\"middle\">{Esc(YLabel)}</text>\n");

        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            string color = Palette[i % Palette.Length];
            string dash = s.Dashed ? " stroke-dasharray=\"6,4\"" : "";
            var segment = new List<string>();
            void Flush()
            {
                if (segment.Count > 1) sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\"{dash} points=\"{string.Join(' ', segment)}\"/>\n");
                segment.Clear();
            }
            foreach (var (x, y) in s.Points)
            {
                if (!Ok(x, LogX) || !Ok(y, LogY)) { Flush(); continue; }
                segment.Add(string.Create(CultureInfo.InvariantCulture, $"{Sx(x):F1},{Sy(y):F1}"));
                if (s.Markers) sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Sx(x):F1}\" cy=\"{Sy(y):F1}\" r=\"2.5\" fill=\"{color}\"/>\n");
            }
            Flush();
            int ly = top + 10 + 18 * i;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left + pw + 12}\" y1=\"{ly}\" x2=\"{left + pw + 36}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/><text x=\"{left + pw + 42}\" y=\"{ly + 4}\">{Esc(s.Name)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static bool Ok(double v, bool log) => double.IsFinite(v) && (!log || v > 0);
    private static double T(double v, bool log) => log ? Math.Log10(v) : v;
    private static string Esc(string s) => WebUtility.HtmlEncode(s);

    private static string Label(double t, bool log)
    {
        double v = log ? Math.Pow(10, t) : t;
        return Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-3 && v != 0) ? v.ToString("0.#E0", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);
    }

    /// <summary>Ticks in transformed units: 1-2-5 steps for linear axes, decades (or their halves) for log axes.</summary>
    private static IEnumerable<double> Ticks(double a, double b, bool log)
    {
        double span = b - a;
        double step;
        if (log && span >= 2) step = Math.Ceiling(span / 6);
        else
        {
            double raw = span / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        }
        for (double t = Math.Ceiling(a / step) * step; t <= b + 1e-9 * span; t += step) yield return Math.Abs(t) < 1e-12 * step ? 0 : t;
    }
}
