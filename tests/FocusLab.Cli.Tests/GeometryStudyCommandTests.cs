using System.Text.Json;

namespace FocusLab.Cli.Tests;

public class GeometryStudyCommandTests
{
    [Fact]
    public void Geometry_study_writes_its_files_and_claims_the_ledger_reads()
    {
        using var gpt = new TinyGpt();
        string outDir = Path.Combine(gpt.Folder, "geometry");
        var (code, stdout, stderr) = CliRunner.Run("geometry-study", "--network", "gpt", "--preset", "quick", "--data", gpt.Corpus, "--steps", "3", "--seeds", "1",
            "--lr-factors", "1,2", "--lr-extensions", "0", "--optimizers", "sgd,muon", "--samples", "8", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var runs = json.RootElement.GetProperty("runs");
        Assert.Equal(2 * 3 * 2, runs.GetArrayLength()); // optimizers × loss versions × lrs, one seed
        Assert.All(runs.EnumerateArray().Where(r => r.GetProperty("best").GetBoolean()),
            r => Assert.True(r.GetProperty("measure").GetProperty("spectral_smoothness").GetDouble() > 0));
        foreach (var f in new[] { "geometry_gpt.json", "geometry_gpt.csv", "geometry_gpt.svg", "geometry_gpt_original.svg", "geometry_gpt_coordinate.svg",
                     "geometry_gpt_matrix.svg", "geometry_gpt_curves.csv", "geometry_gpt_measures.csv", "geometry_gpt.html", "claims.json", "command.txt" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);

        var ledger = CliRunner.Run("claims", "--runs", outDir);
        Assert.True(ledger.ExitCode == 0, ledger.Stderr);
        Assert.Contains("muon is unchanged by the matrix rotation", ledger.Stdout);
        Assert.Contains("sgd is unchanged by the coordinate rotation", ledger.Stdout);
        Assert.Contains("muon is hurt by the coordinate rotation", ledger.Stdout);
    }
}
