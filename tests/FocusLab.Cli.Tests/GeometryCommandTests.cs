using System.Text.Json;

namespace FocusLab.Cli.Tests;

public class GeometryCommandTests
{
    [Fact]
    public void Geometry_measures_a_model_that_train_wrote()
    {
        string dir = Path.Combine(Path.GetTempPath(), "focuslab-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string text = Path.Combine(dir, "corpus.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i}: a quick brown fox {i % 11}.\n")));
        string run = Path.Combine(dir, "run"), outDir = Path.Combine(dir, "geometry");
        var train = CliRunner.Run("train", "--model", "gpt", "--data", text, "--optimizer", "adamw:lr=0.01", "--steps", "3", "--batch", "2",
            "--n-layer", "1", "--n-head", "2", "--n-embd", "8", "--block-size", "8", "--eval-every", "0", "--eval-batches", "1", "--out", run);
        Assert.True(train.ExitCode == 0, train.Stderr);

        var (code, stdout, stderr) = CliRunner.Run("geometry", "--run", run, "--data", text, "--batch", "2", "--lanczos", "6",
            "--hutchinson", "3", "--slice-1d", "5", "--slice-2d", "3", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("gpt", root.GetProperty("source").GetProperty("model").GetString());
        Assert.Equal(3, root.GetProperty("source").GetProperty("step").GetInt64());
        Assert.True(root.GetProperty("eigen").GetProperty("spectral_norm").GetDouble() > 0);
        Assert.Equal(5, root.GetProperty("slice_1d").GetProperty("losses").GetArrayLength());
        foreach (var f in new[] { "geometry.csv", "slice_2d.npy", "geometry_slice_1d.svg", "geometry_slice_2d.svg", "geometry.html", "command.txt" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
    }

    [Fact]
    public void Geometry_of_a_folder_without_a_run_names_the_command_that_makes_one()
    {
        string empty = Path.Combine(Path.GetTempPath(), "focuslab-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        var (code, _, stderr) = CliRunner.Run("geometry", "--run", empty);
        Assert.Equal(2, code);
        Assert.Contains("focuslab train", stderr);
    }
}
