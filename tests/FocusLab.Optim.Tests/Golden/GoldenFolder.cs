namespace FocusLab.Optim.Tests.Golden;

/// <summary>
/// The folder of golden optimizer vectors: $FOCUSLAB_GOLDEN_DIR when set (a relative path is taken
/// from the repository root), else the repository's own vectors in tests/FocusLab.Optim.Tests/Golden/vectors
/// (format and provenance: the README.md of that folder).
/// </summary>
internal static class GoldenFolder
{
    public const string EnvironmentVariable = "FOCUSLAB_GOLDEN_DIR";

    /// <summary>The vectors kept in the repository.</summary>
    public static string DefaultPath =>
        System.IO.Path.Combine(RepositoryPaths.Root, "tests", "FocusLab.Optim.Tests", "Golden", "vectors");

    public static string Path
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            string dir = string.IsNullOrWhiteSpace(env)
                ? DefaultPath
                : System.IO.Path.IsPathRooted(env) ? env : System.IO.Path.Combine(RepositoryPaths.Root, env);
            return System.IO.Path.GetFullPath(dir);
        }
    }

    /// <summary>Every *.json file of the folder, sorted; empty when the folder does not exist.</summary>
    public static string[] Files() =>
        Directory.Exists(Path) ? Directory.GetFiles(Path, "*.json").Order(StringComparer.Ordinal).ToArray() : [];

    /// <summary>One theory row per golden file (its name), for tests that check the files one by one.</summary>
    public static TheoryData<string> CaseFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Files()) data.Add(System.IO.Path.GetFileName(f));
        return data;
    }
}
