using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace FocusLab.Lab.Reports;

/// <summary>One study found in an output folder: its figures, small tables, settings and the command that made it.
/// <see cref="Summary"/> is a one-line description of its settings (e.g. a training run's model, optimizer and steps).</summary>
public sealed record ReportSection(
    string Title,
    string Folder,
    string? Command,
    IReadOnlyList<(string Name, string Svg)> Figures,
    IReadOnlyList<(string Name, string[] Header, IReadOnlyList<string[]> Rows)> Tables,
    IReadOnlyList<(string Name, string Json)> Settings)
{
    public string? Summary { get; init; }
}

/// <summary>What <see cref="StudyReport.Scan"/> found: the studies, the files it could not read
/// (<see cref="Problems"/>, each naming the file; <c>report --check</c> fails on them) and harmless notes.</summary>
public sealed record StudyScan(IReadOnlyList<ReportSection> Sections, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes);

/// <summary>
/// `focuslab report`: one self-contained HTML page (figures inlined as SVG, no network access needed)
/// collecting every study found under an output folder — phase diagrams, valley runs, training runs
/// (with their loss curves), batch-size crossover, LM race, sharpness, rotation and geometry — each
/// with the command and settings that produced it. A folder is a study when it holds one of the data
/// files a study writes (<see cref="Kinds"/>) or at least one .svg figure; the training runs inside
/// an LM race belong to the race and are not listed on their own.
/// </summary>
public static class StudyReport
{
    private const int MaxTableRows = 60, MaxTableBytes = 40_000, MaxSettingsBytes = 4_000, MaxCurvePoints = 2_000;
    private const string TrainRunTitle = "Training run";

    // The file that identifies each kind of study (data files first: figure writers may change), its
    // title, and its headline figure (shown first).
    private static readonly (string Marker, string Title, string? Headline)[] Kinds =
    [
        ("winners.csv", "Phase diagram (FOCUS fig. 2a/2b)", "winner_map.svg"),
        ("winner_map.svg", "Phase diagram (FOCUS fig. 2a/2b)", "winner_map.svg"),
        ("trajectory.csv", "Paths on the narrowing valley (FOCUS fig. 1c)", "trajectory.svg"),
        ("loss_curves.csv", "Loss curves on the narrowing valley (FOCUS fig. 4)", "loss_curves.svg"),
        ("sweep.json", "Batch-size crossover (FOCUS fig. 2c/d)", "batch_sweep_loss.svg"),
        ("batch_sweep_loss.svg", "Batch-size crossover (FOCUS fig. 2c/d)", "batch_sweep_loss.svg"),
        ("race-config.json", "Language-model race (FOCUS fig. 3, S3 table 2)", "val_curves.svg"),
        ("val_curves.svg", "Language-model race (FOCUS fig. 3, S3 table 2)", "val_curves.svg"),
        ("noise-config.json", "Gradient noise and the batch-size crossover on language modelling", "lm_noise_improvement.svg"),
        ("lm_noise_improvement.svg", "Gradient noise and the batch-size crossover on language modelling", "lm_noise_improvement.svg"),
        ("sharpness_*.json", "Directional sharpness (Pan & Li)", null),
        ("rotation_quadratic.json", "Rotation study on a quadratic (Xie et al.)", "rotation_quadratic.svg"),
        ("rotation_quadratic.svg", "Rotation study on a quadratic (Xie et al.)", "rotation_quadratic.svg"),
        ("rotation_mlp.json", "Rotation study on the MLP (Xie et al.)", "rotation_mlp.svg"),
        ("rotation_gpt.json", "Rotation study on the GPT (Xie et al.)", "rotation_gpt.svg"),
        ("geometry.json", "Loss geometry of a trained model", "geometry_slice_1d.svg"),
        ("geometry_slice_1d.svg", "Loss geometry of a trained model", "geometry_slice_1d.svg"),
        (Training.Trainer.MetricsFileName, TrainRunTitle, null),
    ];

    /// <summary>The studies under <paramref name="root"/> (see <see cref="Scan"/>).</summary>
    public static IReadOnlyList<ReportSection> Collect(string root) => Scan(root).Sections;

    /// <summary>Every study under <paramref name="root"/>, searched recursively, and the files that could not be read.</summary>
    public static StudyScan Scan(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"'{root}' does not exist; run a study first (e.g. `./focuslab phase`), or pass --runs DIR.");
        var sections = new List<ReportSection>();
        var problems = new List<string>();
        var notes = new List<string>();
        string fullRoot = Path.GetFullPath(root);
        var folders = new[] { fullRoot }.Concat(Directory.EnumerateDirectories(fullRoot, "*", SearchOption.AllDirectories))
            .Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal);
        foreach (var dir in folders)
        {
            string relative = Path.GetRelativePath(fullRoot, dir);
            string label = relative == "." ? Path.GetFileName(fullRoot) : relative;
            var kind = Kinds.FirstOrDefault(k => Directory.EnumerateFiles(dir, k.Marker).Any());
            bool trainRun = kind.Title == TrainRunTitle && File.Exists(Path.Combine(dir, Training.Trainer.RunFileName));
            if (kind.Title == TrainRunTitle && !trainRun) kind = default;
            if (trainRun && InsideRace(fullRoot, dir)) continue;
            // The study's headline figure first, the rest by name.
            var svgs = Directory.GetFiles(dir, "*.svg").OrderBy(f => Path.GetFileName(f) == kind.Headline ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal).ToArray();
            if (kind.Title is null && svgs.Length == 0) continue;
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
                if (JsonProblem(text) is { } why)
                {
                    problems.Add($"{Path.Combine(label, Path.GetFileName(json))} could not be read ({why}); rerun the study that wrote it, or delete the file.");
                    continue;
                }
                command ??= CommandField(text);
                if (text.Length <= MaxSettingsBytes) settings.Add((Path.GetFileName(json), text.Trim()));
            }
            string? summary = null;
            if (trainRun)
            {
                try
                {
                    var (curve, runSummary, partial) = TrainRun(dir);
                    figures.Insert(0, ("training_loss.svg", curve));
                    summary = runSummary;
                    if (partial) notes.Add(Training.MetricsFile.PartialLineNote(Path.Combine(label, Training.Trainer.MetricsFileName)));
                }
                catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
                {
                    problems.Add($"{label}: the training run could not be read ({e.Message.ReplaceLineEndings(" ")})");
                }
            }
            sections.Add(new ReportSection(title, label, command, figures, tables, settings) { Summary = summary });
        }
        return new StudyScan(sections, problems, notes);
    }

    /// <summary>True when a folder between <paramref name="root"/> and <paramref name="dir"/> holds an LM race or an LM noise study (its runs are the study's).</summary>
    private static bool InsideRace(string root, string dir)
    {
        for (var d = Path.GetDirectoryName(dir); d is not null && d.Length >= root.Length; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "race-config.json")) || File.Exists(Path.Combine(d, "noise-config.json"))) return true;
        return false;
    }

    /// <summary>A training run's loss curves (train loss every step, eval loss where evaluated) and its settings in one line.</summary>
    private static (string Svg, string Summary, bool PartialLine) TrainRun(string dir)
    {
        var meta = Training.RunMeta.FromJson(File.ReadAllText(Path.Combine(dir, Training.Trainer.RunFileName)));
        var metrics = Training.MetricsFile.Read(Path.Combine(dir, Training.Trainer.MetricsFileName));
        var records = metrics.Records;
        int stride = Math.Max(1, (records.Count + MaxCurvePoints - 1) / MaxCurvePoints);
        var chart = new LineChart
        {
            Title = $"{meta.Kind} · {meta.Optimizer}",
            Subtitle = $"step {meta.Step} of {meta.Steps}, schedule {meta.Schedule}",
            XLabel = "step",
            YLabel = "loss",
        };
        chart.Add("train loss", records.Where((_, i) => i % stride == 0 || i == records.Count - 1).Select(m => ((double)m.Step, m.TrainLoss)).Where(p => double.IsFinite(p.Item2)), markers: false);
        var evals = records.Where(m => m.EvalLoss is { } v && double.IsFinite(v)).Select(m => ((double)m.Step, m.EvalLoss!.Value)).ToList();
        if (evals.Count > 0) chart.Add("eval loss", evals);
        var last = records.LastOrDefault(m => m.EvalLoss is not null);
        string summary = $"{meta.Kind}, {meta.Optimizer}, schedule {meta.Schedule}{(meta.ClipNorm is { } c ? $", clip {c.ToString(CultureInfo.InvariantCulture)}" : "")}, step {meta.Step} of {meta.Steps}"
            + (last is null ? "" : $", eval loss {last.EvalLoss!.Value.ToString("G4", CultureInfo.InvariantCulture)} at step {last.Step}")
            + ", " + string.Join(", ", meta.Task.Where(kv => kv.Key != "model").Select(kv => $"{kv.Key} {kv.Value}"));
        return (StripProlog(chart.ToSvg()), summary, metrics.PartialLastLine);
    }

    /// <summary>Null when <paramref name="json"/> parses, else the parser's reason in a few words.</summary>
    private static string? JsonProblem(string json)
    {
        try { using var _ = JsonDocument.Parse(json); return null; }
        catch (JsonException e) { return $"not valid JSON: {e.Message.Split(" Path:")[0].TrimEnd('.')}"; }
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
            h.Append($"<section id=\"s{i}\" data-folder=\"").Append(E(s.Folder)).Append("\"><h2>").Append(E(s.Title)).Append("</h2>\n");
            if (s.Summary is not null) h.Append("<p>").Append(E(s.Summary)).Append("</p>\n");
            h.Append("<p>folder <code>").Append(E(s.Folder)).Append("</code>");
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
         .Append("var failed=[];s.forEach(function(e){var b=e.getBBox();if(b.width>0&&b.height>0&&e.childElementCount>0)n++;")
         .Append("else{var c=e.parentNode.querySelector('figcaption'),f=e.closest('section');failed.push((f?f.dataset.folder+'/':'')+(c?c.textContent:'?'))}});")
         .Append("document.body.dataset.figures=s.length;document.body.dataset.rendered=n;document.body.dataset.failed=failed.join('|');")
         .Append("document.body.dataset.errors=document.body.dataset.errors||0});</script>\n");
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
        var table = CsvTable.Read(path);
        return (Path.GetFileName(path), table.Header, table.Rows);
    }

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
