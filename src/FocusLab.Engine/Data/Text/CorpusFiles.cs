namespace FocusLab.Engine.Data.Text;

/// <summary>
/// Which files of a folder make up a text corpus, in which order. The rule (documented because the
/// byte stream, and so the train/validation split, depends on it):
/// <list type="number">
/// <item>Walk the folder recursively; names starting with '.' are skipped, and symbolic links to
/// folders are not followed (no cycles, no double counting).</item>
/// <item>Order files by their path relative to the root, '/'-separated, ordinal (byte) comparison,
/// so the order is the same on every machine and culture.</item>
/// <item>Skip <c>NAME.dat</c> when <c>NAME</c> exists beside it: that is a strfile(1) index of a
/// fortune file, binary, not text.</item>
/// <item>Skip a file whose resolved target (following symbolic links) is already in the list:
/// Debian's fortunes ship <c>NAME.u8</c> as a symbolic link to <c>NAME</c>.</item>
/// <item>Skip names listed in <c>excludedTopFolders</c> directly under the root (the default corpus
/// excludes <c>off</c>, the optional offensive fortunes of <c>fortunes-off</c>, so that the default
/// corpus does not change when that package is installed).</item>
/// </list>
/// </summary>
public static class CorpusFiles
{
    /// <summary>Lists the corpus files under <paramref name="root"/> by the rule above (full paths).</summary>
    public static IReadOnlyList<string> List(string root, IReadOnlyCollection<string>? excludedTopFolders = null)
    {
        string fullRoot = Path.GetFullPath(root);
        var candidates = new List<(string Relative, string Full)>();
        Walk(fullRoot, "", candidates, excludedTopFolders ?? []);
        candidates.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        var present = new HashSet<string>(candidates.Select(c => c.Full), StringComparer.Ordinal);
        var seenTargets = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var (_, full) in candidates)
        {
            if (full.EndsWith(".dat", StringComparison.Ordinal) && present.Contains(full[..^4]))
                continue;
            if (!seenTargets.Add(ResolveTarget(full)))
                continue;
            result.Add(full);
        }
        return result;
    }

    private static void Walk(string directory, string relative, List<(string, string)> files, IReadOnlyCollection<string> excludedTop)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(directory))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            string rel = relative.Length == 0 ? name : relative + "/" + name;
            bool isLink = new FileInfo(path).LinkTarget is not null;
            if (Directory.Exists(path))
            {
                if (isLink) continue;
                if (relative.Length == 0 && excludedTop.Contains(name)) continue;
                Walk(path, rel, files, excludedTop);
            }
            else if (File.Exists(path)) // false for a dangling link, which is skipped
            {
                files.Add((rel, path));
            }
        }
    }

    private static string ResolveTarget(string path)
    {
        var info = new FileInfo(path);
        var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
        return Path.GetFullPath(target?.FullName ?? path);
    }
}
