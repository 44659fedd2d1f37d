namespace FocusLab.Lab.Tests.Reports;

/// <summary>
/// Lines of the CSV files committed under docs/results (written by the code before CsvTable): the expected text of
/// the "same output as before" tests, which rebuild those rows from their values and write them again.
/// </summary>
internal static class CommittedTables
{
    private static readonly string Results = FindResults();

    /// <summary>The header and the given 1-based data lines of docs/results/<paramref name="file"/>, each with its "\n".</summary>
    public static string Lines(string file, params int[] dataLines)
    {
        var lines = File.ReadAllLines(Path.Combine(Results, file));
        return string.Concat(new[] { lines[0] }.Concat(dataLines.Select(i => lines[i])).Select(l => l + "\n"));
    }

    private static string FindResults()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "docs", "results"))) return Path.Combine(dir.FullName, "docs", "results");
        throw new DirectoryNotFoundException("docs/results not found above the test assembly; run the tests from the repository.");
    }
}
