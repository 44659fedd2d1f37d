namespace FocusLab.Optim.Tests;

/// <summary>Locates the repository root (the folder holding FocusLab.slnx) from the test binaries.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FocusLab.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No folder containing FocusLab.slnx above {AppContext.BaseDirectory}; the tests must run from inside the repository.");
    }
}
