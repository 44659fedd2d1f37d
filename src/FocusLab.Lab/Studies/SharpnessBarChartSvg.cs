using System.Globalization;
using System.Net;
using System.Text;

namespace FocusLab.Lab.Studies;

/// <summary>
/// A grouped bar chart in plain SVG with a log-scaled y axis (ratios to sgd span orders of magnitude).
/// Non-positive or non-finite values have no bar and are labelled "n/a" (a log axis cannot show them).
/// </summary>
public static class SharpnessBarChartSvg
{
    public sealed record Series(string Name, string Color, double[] Values);

    public static string Render(string title, string yLabel, string[] categories, Series[] series)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var inv = CultureInfo.InvariantCulture;
        const int left = 70, right = 100, top = 50, bottom = 110, plotH = 320;
        int groupW = Math.Max(40, 14 * series.Length + 16);
        int plotW = groupW * Math.Max(1, categories.Length);
        int width = left + plotW + right, height = top + plotH + bottom;
        var positive = series.SelectMany(s => s.Values).Where(v => double.IsFinite(v) && v > 0).ToArray();
        double lo = positive.Length == 0 ? 0.1 : Math.Floor(Math.Log10(positive.Min())), hi = positive.Length == 0 ? 1 : Math.Ceiling(Math.Log10(positive.Max()));
        if (hi <= lo) hi = lo + 1;
        double Y(double v) => top + plotH * (1 - (Math.Log10(v) - lo) / (hi - lo));

        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(title)}</text>\n");
        for (int e = (int)lo; e <= (int)hi; e++)
        {
            double y = Y(Math.Pow(10, e));
            sb.Append(inv, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{left + plotW}\" y2=\"{y:F1}\" stroke=\"{(e == 0 ? "#444" : "#ddd")}\"/>\n");
            sb.Append(inv, $"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">1e{e}</text>\n");
        }
        sb.Append(inv, $"<text transform=\"translate(16,{top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{WebUtility.HtmlEncode(yLabel)}</text>\n");
        double baseY = Y(Math.Pow(10, lo));
        for (int c = 0; c < categories.Length; c++)
        {
            double x0 = left + c * groupW + 8;
            for (int s = 0; s < series.Length; s++)
            {
                double v = c < series[s].Values.Length ? series[s].Values[c] : double.NaN;
                double x = x0 + 14 * s;
                if (double.IsFinite(v) && v > 0)
                {
                    double y = Y(v);
                    sb.Append(inv, $"<rect x=\"{x:F1}\" y=\"{y:F1}\" width=\"12\" height=\"{Math.Max(0.5, baseY - y):F1}\" fill=\"{series[s].Color}\"><title>{WebUtility.HtmlEncode(series[s].Name)} {WebUtility.HtmlEncode(categories[c])}: {v.ToString("G4", inv)}</title></rect>\n");
                }
                else sb.Append(inv, $"<text x=\"{x + 6:F1}\" y=\"{baseY - 4:F1}\" text-anchor=\"middle\" font-size=\"8\">n/a</text>\n");
            }
            double cx = left + c * groupW + groupW / 2.0;
            sb.Append(inv, $"<text transform=\"translate({cx:F1},{top + plotH + 10}) rotate(45)\" text-anchor=\"start\">{WebUtility.HtmlEncode(categories[c])}</text>\n");
        }
        sb.Append(inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>\n");
        for (int s = 0; s < series.Length; s++)
        {
            int lx = left + 10 + 150 * s;
            sb.Append(inv, $"<rect x=\"{lx}\" y=\"30\" width=\"12\" height=\"10\" fill=\"{series[s].Color}\"/><text x=\"{lx + 16}\" y=\"39\">{WebUtility.HtmlEncode(series[s].Name)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
