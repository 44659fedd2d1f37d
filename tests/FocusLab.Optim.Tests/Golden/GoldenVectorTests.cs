using Xunit.Abstractions;

namespace FocusLab.Optim.Tests.Golden;

/// <summary>
/// Every JSON file of the golden folder (Golden/vectors in the repository, or $FOCUSLAB_GOLDEN_DIR) must match
/// within its tolerances and compare masks. The folder is enumerated when the test runs, so a
/// held-out folder with other files is checked the same way. A missing or empty folder, an unknown
/// optimizer id or an unreadable file fails.
/// </summary>
public sealed class GoldenVectorTests(ITestOutputHelper output)
{
    [Fact]
    public void Golden_EveryCaseOfTheFolderMatchesItsReferenceTrajectory()
    {
        var results = GoldenRunner.RunFolder(GoldenFolder.Path);
        output.WriteLine($"golden folder: {GoldenFolder.Path} ({results.Count} files)");
        foreach (var r in results) output.WriteLine(r.ToString());
        var failed = results.Where(r => !r.Passed).ToArray();
        Assert.True(failed.Length == 0,
            $"{failed.Length} of {results.Count} golden cases fail:\n" + string.Join("\n", failed.Select(r => r.ToString())));
    }

    /// <summary>The same check, one row per file, for readable output.</summary>
    [Theory]
    [MemberData(nameof(GoldenFolder.CaseFiles), MemberType = typeof(GoldenFolder))]
    public void Golden_Case(string file)
    {
        var r = GoldenRunner.Run(Path.Combine(GoldenFolder.Path, file));
        output.WriteLine(r.ToString());
        Assert.True(r.Passed, r.ToString());
    }
}
