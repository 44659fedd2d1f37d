namespace FocusLab.Cli.Tests;

public class VerdictCommandsTests
{
    [Theory]
    [InlineData("'fast' is not a positive number", "batch-sweep", "--out", "/tmp/focuslab-never", "--lrs", "1e-3,fast")]
    [InlineData("'1' is not a batch size ≥ 2", "batch-sweep", "--out", "/tmp/focuslab-never", "--batches", "1,2")]
    [InlineData("the upper bound must exceed the lower", "batch-sweep", "--out", "/tmp/focuslab-never", "--lrs", "1:1e-4:5")]
    [InlineData("unknown sgd", "batch-sweep", "--out", "/tmp/focuslab-never", "--optimizers", "adamw,sgd")]
    [InlineData("the sweep has no optimizer 'lion'", "batch-sweep", "--out", "/tmp/focuslab-never", "--only", "optimizer=lion,batch=8,lr_index=0,replicate=0")]
    [InlineData("--lr-extensions must be ≥ 0", "batch-sweep", "--out", "/tmp/focuslab-never", "--lr-extensions", "-1")]
    [InlineData("'0' is not a batch size ≥ 1", "lm-noise", "--out", "/tmp/focuslab-never", "--batches", "0,4")]
    [InlineData("--shard '3/2' must be i/N", "lm-race", "--out", "/tmp/focuslab-never", "--shard", "3/2")]
    public void Invalid_options_are_refused_in_one_line_before_any_work(string message, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists("/tmp/focuslab-never"));
    }

    [Fact]
    public void Claims_writes_the_ledger_of_a_folder_of_study_outputs()
    {
        string runs = Directory.CreateTempSubdirectory("focuslab-claims-cli").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(runs, "sweep"));
            File.WriteAllText(Path.Combine(runs, "sweep", "claims.json"), """
                {"study":"batch-sweep","claims":[{"id":"focus.fig2cd.signum","paper":"FOCUS","claim":"signum beats adamw at small batches",
                 "paper_protocol":"MNIST","protocol":"Fashion-MNIST","deviations":["Fashion-MNIST"],"command":"focuslab batch-sweep --out x",
                 "numbers":"I(2) = +0.01 ± 0.02","seeds":3,"verdict":"not reproduced","reason":"within the spread"}]}
                """);
            string md = Path.Combine(runs, "claims.md");
            var (code, stdout, err) = CliRunner.Run("claims", "--runs", runs, "--out", md);
            Assert.True(code == 0, err);
            Assert.Contains("1 claims", stdout);
            string text = File.ReadAllText(md);
            Assert.Contains("| signum beats adamw at small batches (FOCUS) | MNIST | Fashion-MNIST<br>deviations: Fashion-MNIST | `focuslab batch-sweep --out x` | I(2) = +0.01 ± 0.02 (3 seeds) | **not reproduced**: within the spread |", text);
        }
        finally { Directory.Delete(runs, true); }
    }
}
