using System.Net;
using System.Text;
using System.Text.Json;

namespace FocusLab.Lab.Reports;

/// <summary>
/// The file set every geometry study writes — BASE.json, BASE.csv, BASE.svg and BASE.html — with one
/// set of JSON conventions (snake_case, indented, non-finite numbers as null), each file atomically.
/// </summary>
internal static class StudyOutput
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        IncludeFields = true,
        Converters = { new FiniteOrNullConverter() },
    };

    /// <summary>Writes the four files and returns their paths in the order json, csv, svg, html.</summary>
    public static string[] Write(string directory, string baseName, string json, string csv, string svg, string html)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var paths = new[] { "json", "csv", "svg", "html" }.Select(ext => Path.Combine(directory, $"{baseName}.{ext}")).ToArray();
        AtomicFile.WriteText(paths[0], json);
        AtomicFile.WriteText(paths[1], csv);
        AtomicFile.WriteText(paths[2], svg);
        AtomicFile.WriteText(paths[3], html);
        return paths;
    }

    /// <summary>A self-contained HTML page (no scripts, no external files) with the studies' one style.</summary>
    public static string HtmlPage(string title, string body) =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(title) + "</title>\n" +
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style></head><body>\n" +
        body + "</body></html>\n";

    /// <summary>A CSV table (header row first, read by <see cref="CsvTable.Parse"/>, so quoted fields keep their commas) as an HTML table.</summary>
    public static string CsvTable(string csv)
    {
        var table = Reports.CsvTable.Parse(csv);
        var sb = new StringBuilder("<table>\n");
        void Row(IEnumerable<string> cells, string cell) =>
            sb.Append("<tr>").Append(string.Concat(cells.Select(c => $"<{cell}>{WebUtility.HtmlEncode(c)}</{cell}>"))).Append("</tr>\n");
        Row(table.Header, "th");
        foreach (var row in table.Rows) Row(row, "td");
        return sb.Append("</table>\n").ToString();
    }
}
