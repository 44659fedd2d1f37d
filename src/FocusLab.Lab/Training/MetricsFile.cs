using System.Text;

namespace FocusLab.Lab.Training;

/// <summary>
/// Reads <c>metrics.jsonl</c>. The trainer writes whole lines and flushes each one, so only a crash
/// in the middle of a write can leave a partial last line; that line is skipped and reported in
/// <see cref="Contents.PartialLastLine"/>. Any other unreadable line is damage and is refused, naming
/// the line.
/// </summary>
internal static class MetricsFile
{
    /// <summary>The records of a metrics file, and whether a partial last line was skipped.</summary>
    internal sealed record Contents(IReadOnlyList<StepMetrics> Records, bool PartialLastLine);

    /// <summary>Reads every complete record of <paramref name="path"/>.</summary>
    public static Contents Read(string path)
    {
        string text = File.ReadAllText(path, Encoding.UTF8);
        var lines = text.Split('\n');
        // After the last '\n' there is either nothing or a line that was being written when the process died.
        bool partial = lines[^1].Trim().Length > 0;
        var records = new List<StepMetrics>(lines.Length);
        for (int i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            try { records.Add(StepMetrics.FromJson(lines[i])); }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"{path} line {i + 1} is not a metrics record ({e.Message.Split('.')[0]}); the file was edited or damaged. Start the run again in a new --out folder.");
            }
        }
        return new Contents(records, partial);
    }

    /// <summary>The note printed when a partial last line was skipped.</summary>
    public static string PartialLineNote(string path) =>
        $"{path}: skipped a partial last line (the process was killed while writing it); every complete line was read.";
}
