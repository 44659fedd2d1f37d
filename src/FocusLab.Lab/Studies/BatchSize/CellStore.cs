using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// Finished sweep cells in a JSON Lines file, appended and flushed one line per cell so a killed sweep
/// loses at most the cell in progress. Loading tolerates one cut-off last line (the crash case) and
/// rewrites the file without it; a damaged line anywhere else is an error.
/// </summary>
public sealed class CellStore : IDisposable
{
    private readonly Dictionary<SweepCellKey, SweepCellResult> _done = [];
    private readonly StreamWriter _writer;

    public CellStore(string path)
    {
        Path = path;
        foreach (var c in Read(path, repairTail: true)) Add(c, path);
        _writer = new StreamWriter(path, append: true, new System.Text.UTF8Encoding(false));
    }

    public string Path { get; }

    public IReadOnlyCollection<SweepCellResult> Results => _done.Values;

    public bool Contains(SweepCellKey key) => _done.ContainsKey(key);

    public void Append(SweepCellResult result)
    {
        Add(result, Path);
        _writer.WriteLine(result.ToJson());
        _writer.Flush();
    }

    private void Add(SweepCellResult c, string source)
    {
        if (_done.TryGetValue(c.Key, out var old))
        {
            if (!old.SameOutcome(c))
                throw new InvalidDataException($"{source}: cell {c.Key} appears twice with different results ({old.Score} vs {c.Score}); the files come from different settings or builds.");
            return;
        }
        _done[c.Key] = c;
    }

    /// <summary>Reads every cell of a file (missing file: none).</summary>
    public static List<SweepCellResult> Read(string path, bool repairTail = false)
    {
        var list = new List<SweepCellResult>();
        if (!File.Exists(path)) return list;
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                list.Add(SweepCellResult.FromJson(lines[i]));
            }
            catch (System.Text.Json.JsonException) when (i == lines.Length - 1)
            {
                // The last line was cut off by a crash: drop it (the cell will be recomputed).
                if (repairTail) FocusLab.Lab.Reports.AtomicFile.WriteText(path, string.Concat(lines[..i].Where(l => l.Length > 0).Select(l => l + "\n")));
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"{path}: line {i + 1} is not a sweep cell ({e.Message}); the file is damaged.");
            }
        }
        return list;
    }

    /// <summary>Union of several files' cells; identical duplicates collapse, conflicting ones are an error.</summary>
    public static List<SweepCellResult> Merge(IEnumerable<string> paths)
    {
        var all = new Dictionary<SweepCellKey, SweepCellResult>();
        foreach (var p in paths)
            foreach (var c in Read(p))
            {
                if (all.TryGetValue(c.Key, out var old) && !old.SameOutcome(c))
                    throw new InvalidDataException($"{p}: cell {c.Key} has score {c.Score}, but another shard file has {old.Score}; the shards were run with different settings or builds.");
                all[c.Key] = c;
            }
        return all.Values.ToList();
    }

    public void Dispose() => _writer.Dispose();
}
