using System.Globalization;
using System.Net;
using System.Text;

namespace FocusLab.Lab.Rotations;

/// <summary>One line of a chart: a name, its colour and one y value per x category (non-finite values leave a gap).</summary>
public sealed record ChartSeries(string Name, string Color, double[] Values, bool Dashed = false);

/// <summary>
/// A minimal hand-written SVG line chart over categorical x positions with a linear or log₁₀ y axis, so
/// figures need no plotting library. Several panels stack vertically in one document.
/// </summary>
public static class LineChartSvg
{
    public sealed record Panel(string Title, string YLabel, string[] XLabels, ChartSeries[] Series, bool LogY);

    private const int Width = 760, PanelHeight = 320, Left = 90, Right = 170, Top = 40, Bottom = 50;

    public static string Render(string title, params Panel[] panels)
    {
        var sb = new StringBuilder();
        int height = 30 + panels.Length * PanelHeight;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(title)}</text>\n");
        for (int p = 0; p < panels.Length; p++) RenderPanel(sb, panels[p], 30 + p * PanelHeight);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void RenderPanel(StringBuilder sb, Panel panel, int y0)
    {
        var inv = CultureInfo.InvariantCulture;
        double pw = Width - Left - Right, ph = PanelHeight - Top - Bottom;
        double Transform(double v) => panel.LogY ? Math.Log10(v) : v;
        var finite = panel.Series.SelectMany(s => s.Values).Where(v => double.IsFinite(v) && (!panel.LogY || v > 0)).Select(Transform).ToArray();
        double lo = finite.Length > 0 ? finite.Min() : 0, hi = finite.Length > 0 ? finite.Max() : 1;
        if (panel.LogY) { lo = Math.Floor(lo); hi = Math.Ceiling(hi); }
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        else if (!panel.LogY) { double pad = 0.05 * (hi - lo); lo -= pad; hi += pad; }
        int nx = panel.XLabels.Length;
        double X(int i) => Left + (nx == 1 ? pw / 2 : pw * i / (nx - 1));
        double Y(double t) => y0 + Top + ph * (1 - (t - lo) / (hi - lo));

        sb.Append(inv, $"<text x=\"{Left + pw / 2}\" y=\"{y0 + Top - 12}\" text-anchor=\"middle\" font-size=\"13\">{Esc(panel.Title)}</text>\n");
        sb.Append(inv, $"<rect x=\"{Left}\" y=\"{y0 + Top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#444\"/>\n");
        // y ticks: integer decades on a log axis, 5 even steps otherwise.
        var ticks = panel.LogY
            ? Enumerable.Range(0, (int)(hi - lo) + 1).Select(k => lo + k).Where((_, k) => (int)(hi - lo) <= 12 || k % 2 == 0).ToArray()
            : Enumerable.Range(0, 6).Select(k => lo + (hi - lo) * k / 5).ToArray();
        foreach (double t in ticks)
        {
            double y = Y(t);
            string label = panel.LogY ? $"1e{t:0}" : t.ToString("G3", inv);
            sb.Append(inv, $"<line x1=\"{Left}\" x2=\"{Left + pw}\" y1=\"{y:F1}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>\n");
            sb.Append(inv, $"<text x=\"{Left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{Esc(label)}</text>\n");
        }
        for (int i = 0; i < nx; i++)
            sb.Append(inv, $"<text x=\"{X(i):F1}\" y=\"{y0 + Top + ph + 18}\" text-anchor=\"middle\">{Esc(panel.XLabels[i])}</text>\n");
        sb.Append(inv, $"<text transform=\"translate({Left - 62},{y0 + Top + ph / 2}) rotate(-90)\" text-anchor=\"middle\">{Esc(panel.YLabel)}</text>\n");

        for (int s = 0; s < panel.Series.Length; s++)
        {
            var series = panel.Series[s];
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < Math.Min(nx, series.Values.Length); i++)
            {
                double v = series.Values[i];
                if (!double.IsFinite(v) || (panel.LogY && v <= 0)) { pen = false; continue; }
                path.Append(inv, $"{(pen ? 'L' : 'M')}{X(i):F1},{Y(Transform(v)):F1} ");
                sb.Append(inv, $"<circle cx=\"{X(i):F1}\" cy=\"{Y(Transform(v)):F1}\" r=\"3\" fill=\"{series.Color}\"/>\n");
                pen = true;
            }
            string dash = series.Dashed ? " stroke-dasharray=\"6,4\"" : "";
            sb.Append(inv, $"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"2\"{dash}/>\n");
            double ly = y0 + Top + 14 + 18 * s;
            sb.Append(inv, $"<line x1=\"{Left + pw + 12}\" x2=\"{Left + pw + 34}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{series.Color}\" stroke-width=\"2\"{dash}/>\n");
            sb.Append(inv, $"<text x=\"{Left + pw + 40}\" y=\"{ly + 4}\">{Esc(series.Name)}</text>\n");
        }
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
