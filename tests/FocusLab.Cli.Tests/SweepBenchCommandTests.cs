using System.Text.Json;

namespace FocusLab.Cli.Tests;

public class SweepBenchCommandTests
{
    [Fact]
    public void Bench_sweep_measures_given_specs_on_the_nd_valley_without_a_paper_projection()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "sweep", "--threads", "1", "--seconds", "0.01", "--dim", "8",
            "--optimizers", "signum,signum:clip_fraction=0.3");
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("valleynd", doc.GetProperty("landscape").GetString());
        Assert.Equal(8, doc.GetProperty("dimension").GetInt32());
        Assert.False(doc.TryGetProperty("paper_preset_projected_s", out _)); // the projection is of the paper's three in 2-D only
        var rows = doc.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["signum", "signum:clip_fraction=0.3", "all"], rows.Select(r => r.GetProperty("optimizer").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("steps_per_s").GetDouble() > 0));
    }

    [Fact]
    public void Bench_sweep_defaults_to_the_paper_three_in_2d_with_the_projection()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "sweep", "--threads", "1", "--seconds", "0.01");
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("valley2d", doc.GetProperty("landscape").GetString());
        Assert.Equal(["adam", "signum", "focus", "all"], doc.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("optimizer").GetString()));
        Assert.True(doc.GetProperty("paper_preset_projected_s").GetDouble() > 0);
    }

    [Theory]
    [InlineData("--optimizers", "nosuch", "Unknown optimizer 'nosuch'")]
    [InlineData("--dim", "1", "--dim must be ≥ 2")]
    public void Bench_sweep_refuses_bad_input_in_one_line(string option, string value, string message)
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "sweep", "--threads", "1", "--seconds", "0.01", option, value);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
