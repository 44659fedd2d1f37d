using System.Text.Json;

namespace FocusLab.Lab.Reports;

/// <summary>
/// The file set every geometry study writes — BASE.json, BASE.csv, BASE.svg and BASE.html — with one
/// set of JSON conventions (snake_case, indented, non-finite numbers as null), each file atomically.
/// </summary>
public static class StudyOutput
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
}
