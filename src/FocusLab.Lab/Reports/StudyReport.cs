using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FocusLab.Lab.Reports;

/// <summary>One study found in an output folder: its figures, small tables, settings and the command that made it.</summary>
public sealed record ReportSection(
    string Title,
    string Folder,
    string? Command,
    IReadOnlyList<(string Name, string Svg)> Figures,
    IReadOnlyList<(string Name, string[] Header, IReadOnlyList<string[]> Rows)> Tables,
    IReadOnlyList<(string Name, string Json)> Settings);

/// <summary>
/// `focuslab report`: one self-contained HTML page (figures inlined as SVG, no network access needed)
/// collecting every study found under an output folder — phase diagrams, batch-size crossover, LM race,
/// spikes, sharpness and rotation tables — each with the command and settings that produced it.
/// A folder is a study when it directly holds at least one .svg figure.
/// </summary>
public static partial class StudyReport
{
    private const int MaxTableRows = 60, MaxTableBytes = 40_000, MaxSettingsBytes = 4_000;

    // Known figure names tell what a folder holds; anything else keeps its folder name.
    private static readonly (string File, string Title)[] Kinds =
    [
        ("winner_map.svg", "Phase diagram (FOCUS fig. 2a/2b)"),
        ("batch_sweep_loss.svg", "Batch-size crossover (FOCUS fig. 2c/d)"),
        ("val_curves.svg", "Language-model race (FOCUS fig. 3, S3 table 2)"),
        ("lm_noise_improvement.svg", "Gradient noise and the batch-size crossover on language modelling"),
        ("rotation_quadratic.svg", "Rotation study (Xie et al.)"),
        ("geometry_slice_1d.svg", "Loss geometry of a trained model"),
        ("geometry_slice_2d.svg", "Loss geometry of a trained model"),
    ];

    public static IReadOnlyList<ReportSection> Collect(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"'{root}' does not exist; run a study first (e.g. `./focuslab phase`), or pass --runs DIR.");
        var sections = new List<ReportSection>();
        var folders = new[] { root }.Concat(Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            .Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal);
        foreach (var dir in folders)
        {
            var kind = Kinds.FirstOrDefault(k => File.Exists(Path.Combine(dir, k.File)));
            // The study's headline figure first, the rest by name.
            var svgs = Directory.GetFiles(dir, "*.svg").OrderBy(f => Path.GetFileName(f) == kind.File ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal).ToArray();
            if (svgs.Length == 0) continue;
            string relative = Path.GetRelativePath(root, dir);
            string title = kind.Title
                ?? (Path.GetFileName(dir).Contains("sharp", StringComparison.OrdinalIgnoreCase) ? "Directional sharpness (Pan & Li)" : relative);
            var figures = svgs.Select(f => (Path.GetFileName(f), StripProlog(File.ReadAllText(f)))).ToList();
            var tables = Directory.GetFiles(dir, "*.csv").Order(StringComparer.Ordinal)
                .Where(f => new FileInfo(f).Length <= MaxTableBytes)
                .Select(ReadCsv).Where(t => t.Rows.Count is > 0 and <= MaxTableRows).ToList();
            var settings = new List<(string, string)>();
            string? command = File.Exists(Path.Combine(dir, "command.txt")) ? File.ReadAllText(Path.Combine(dir, "command.txt")).Trim() : null;
            foreach (var json in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                string text = File.ReadAllText(json);
                command ??= CommandField(text);
                if (text.Length <= MaxSettingsBytes) settings.Add((Path.GetFileName(json), text.Trim()));
            }
            sections.Add(new ReportSection(title, relative == "." ? Path.GetFileName(Path.GetFullPath(root)) : relative, command, figures, tables, settings));
        }
        return sections;
    }

    public static string Render(IReadOnlyList<ReportSection> sections, string title)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>")
         .Append("body{font-family:Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;color:#222}")
         .Append("section{border-top:2px solid #ccc;margin-top:2em;padding-top:1em}figure{display:inline-block;margin:.5em;vertical-align:top}")
         .Append("figcaption{font-size:12px;color:#555;text-align:center}code,pre{background:#f4f4f4;padding:.2em .4em;font-size:12px;white-space:pre-wrap}")
         .Append("table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}nav a{margin-right:1em}")
         .Append("</style></head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n");
        if (sections.Count == 0) h.Append("<p>No studies found: run one first, e.g. <code>./focuslab phase</code>.</p>\n");
        h.Append("<nav>");
        for (int i = 0; i < sections.Count; i++) h.Append($"<a href=\"#s{i}\">").Append(E(sections[i].Title)).Append("</a>");
        h.Append("</nav>\n");
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i];
            h.Append($"<section id=\"s{i}\"><h2>").Append(E(s.Title)).Append("</h2>\n<p>folder <code>").Append(E(s.Folder)).Append("</code>");
            h.Append(s.Command is null ? " — command not recorded" : " — made by <code>" + E(s.Command) + "</code>").Append("</p>\n");
            foreach (var (name, svg) in s.Figures)
                h.Append("<figure>").Append(svg).Append("<figcaption>").Append(E(name)).Append("</figcaption></figure>\n");
            foreach (var (name, header, rows) in s.Tables)
            {
                h.Append("<h3>").Append(E(name)).Append("</h3><table><tr>");
                foreach (var c in header) h.Append("<th>").Append(E(c)).Append("</th>");
                h.Append("</tr>\n");
                foreach (var r in rows) { h.Append("<tr>"); foreach (var c in r) h.Append("<td>").Append(E(c)).Append("</td>"); h.Append("</tr>\n"); }
                h.Append("</table>\n");
            }
            foreach (var (name, json) in s.Settings)
                h.Append("<details><summary>").Append(E(name)).Append("</summary><pre>").Append(E(json)).Append("</pre></details>\n");
            h.Append("</section>\n");
        }
        // Lets a headless browser confirm the page rendered: every inline SVG has a non-empty box, no script error.
        h.Append("<script>window.addEventListener('error',function(){document.body.dataset.errors=(+(document.body.dataset.errors||0)+1)});")
         .Append("window.addEventListener('load',function(){var s=document.querySelectorAll('figure > svg'),n=0;")
         .Append("s.forEach(function(e){var b=e.getBBox();if(b.width>0&&b.height>0&&e.childElementCount>0)n++});")
         .Append("document.body.dataset.figures=s.length;document.body.dataset.rendered=n;document.body.dataset.errors=document.body.dataset.errors||0});</script>\n");
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private static string StripProlog(string svg)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start < 0 ? "" : svg[start..];
    }

    private static (string Name, string[] Header, IReadOnlyList<string[]> Rows) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines.Length > 0 ? SplitCsv(lines[0]) : [];
        return (Path.GetFileName(path), header, lines.Skip(1).Select(SplitCsv).ToList());
    }

    private static string[] SplitCsv(string line) => CsvField().Matches(line + ",").Select(m => m.Groups[1].Success ? m.Groups[1].Value.Replace("\"\"", "\"") : m.Groups[2].Value).ToArray();

    [GeneratedRegex("(?:\"((?:[^\"]|\"\")*)\"|([^,]*)),")]
    private static partial Regex CsvField();

    private static string? CommandField(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
