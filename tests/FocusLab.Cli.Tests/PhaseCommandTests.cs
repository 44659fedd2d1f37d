using System.Text.Json;

namespace FocusLab.Cli.Tests;

public sealed class PhaseCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-phase-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Tiny =
        ["--x-points", "4", "--sigma-points", "3", "--lr-points", "3", "--replicates", "3", "--steps", "100", "--seed", "5", "--threads", "2"];

    [Fact]
    public void Json_summary_has_exactly_the_issue_fields_and_stdout_is_clean()
    {
        string outDir = Path.Combine(_dir, "one");
        var (code, stdout, stderr) = CliRunner.Run(["phase", .. Tiny, "--out", outDir, "--json"]);
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement; // the whole of stdout is one JSON object
        Assert.Equal(["wall_seconds", "steps_total", "x_axis", "y_axis", "optimizers", "winners", "sigma_c", "diverged_runs"],
            doc.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(3L * 3 * 3 * 4 * 3 * 100, doc.GetProperty("steps_total").GetInt64());
        Assert.Equal("a", doc.GetProperty("x_axis").GetProperty("name").GetString());
        Assert.Equal("sigma", doc.GetProperty("y_axis").GetProperty("name").GetString());
        Assert.Equal(4, doc.GetProperty("x_axis").GetProperty("values").GetArrayLength());
        Assert.Equal(["adam", "signum", "focus"], doc.GetProperty("optimizers").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var winners = doc.GetProperty("winners");
        Assert.Equal(3, winners.GetArrayLength());
        Assert.All(winners.EnumerateArray(), row => Assert.Equal(4, row.GetArrayLength()));
        Assert.Equal(4, doc.GetProperty("sigma_c").GetArrayLength());
        foreach (var f in new[] { "final_loss.npy", "min_loss.npy", "max_u.npy", "winners.csv", "winner_map.svg", "sigma_c.svg", "pairwise_adam_vs_signum.svg", "best_lr_focus.svg", "summary.json", "index.html" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp-*"));
    }

    [Fact]
    public void Optimizers_are_factory_specs_named_by_the_spec_in_outputs()
    {
        string outDir = Path.Combine(_dir, "specs");
        var (code, stdout, stderr) = CliRunner.Run(["phase", .. Tiny, "--out", outDir, "--json", "--optimizers", "signum,focus:gamma=0.4,beta2=0.99,s3"]);
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["signum", "focus:gamma=0.4,beta2=0.99", "s3"], doc.GetProperty("optimizers").EnumerateArray().Select(e => e.GetString()!).ToArray());
        foreach (var f in new[] { "best_lr_focus_gamma_0.4_beta2_0.99.svg", "pairwise_signum_vs_s3.svg", "winner_map.svg" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Contains("best_loss_focus_gamma_0.4_beta2_0.99,", File.ReadLines(Path.Combine(outDir, "winners.csv")).First());
    }

    [Fact]
    public void Muon_and_adafactor_run_and_the_relative_step_is_noted()
    {
        var (code, stdout, stderr) = CliRunner.Run(["phase", .. Tiny, "--out", Path.Combine(_dir, "muon"), "--optimizers", "muon,adafactor,adafactor:relative_step=false"]);
        Assert.True(code == 0, stderr);
        var notes = stdout.Split('\n').Where(l => l.StartsWith("note:")).ToArray();
        Assert.Equal(["note: adafactor: relative step ignores the learning-rate grid (every lr column is the same run; its best lr is the grid's first)"], notes);
    }

    [Fact]
    public void Shards_merged_give_the_same_outputs_as_one_run()
    {
        string one = Path.Combine(_dir, "one"), sharded = Path.Combine(_dir, "sharded");
        Assert.Equal(0, CliRunner.Run(["phase", "--vary", "weight-decay", .. Tiny, "--out", one]).ExitCode);
        for (int i = 0; i < 3; i++)
        {
            var (code, stdout, stderr) = CliRunner.Run(["phase", "--vary", "weight-decay", .. Tiny, "--out", sharded, "--shard", $"{i}/3", "--json"]);
            Assert.True(code == 0, stderr);
            Assert.Equal(i + 1, JsonDocument.Parse(stdout).RootElement.GetProperty("shards_done").GetInt32());
        }
        var merge = CliRunner.Run("phase", "merge", sharded, "--json");
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        foreach (var f in new[] { "final_loss.npy", "min_loss.npy", "max_u.npy", "score.npy", "winner.npy", "winners.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, f)), File.ReadAllBytes(Path.Combine(sharded, f)));
        Assert.Equal("weight_decay", JsonDocument.Parse(merge.Stdout).RootElement.GetProperty("x_axis").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("--shard", "3/3", "--shard '3/3' is invalid")]
    [InlineData("--replicates", "0", "--replicates must be ≥ 1")]
    [InlineData("--lr-min", "-1", "learning rates need 0 < --lr-min")]
    [InlineData("--dim", "5", "--dim applies to --landscape valleynd only")]
    [InlineData("--optimizers", "adam,signum:cautious=true", "cautious is a transform the sweep engine does not run")]
    [InlineData("--optimizers", "adam,muon:aux=adamw", "aux= would step nothing")]
    [InlineData("--optimizers", "focus:lr=0.1", "remove lr=")]
    public void Invalid_options_are_refused_up_front(string option, string value, string message)
    {
        var tiny = Tiny.Chunk(2).Where(p => p[0] != option).SelectMany(p => p); // an option given twice is a parse error of its own
        var (code, stdout, stderr) = CliRunner.Run(["phase", .. tiny, option, value, "--out", Path.Combine(_dir, "bad")]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));
    }

    [Fact]
    public void Merge_names_missing_shards()
    {
        string sharded = Path.Combine(_dir, "partial");
        Assert.Equal(0, CliRunner.Run(["phase", .. Tiny, "--out", sharded, "--shard", "1/2"]).ExitCode);
        var (code, _, stderr) = CliRunner.Run("phase", "merge", sharded);
        Assert.Equal(2, code);
        Assert.Contains("missing shard(s) 0 of 2", stderr);
    }

    [Fact]
    public void Valley_trajectory_and_curves_write_their_figures()
    {
        string dir = Path.Combine(_dir, "valley");
        var (code, stdout, stderr) = CliRunner.Run("valley", "trajectory", "--steps", "200", "--search-replicates", "4", "--out", dir, "--json");
        Assert.True(code == 0, stderr);
        var runs = JsonDocument.Parse(stdout).RootElement.GetProperty("runs");
        Assert.Equal(3, runs.GetArrayLength());
        Assert.True(File.Exists(Path.Combine(dir, "trajectory.svg")));
        (code, stdout, stderr) = CliRunner.Run("valley", "curves", "--steps", "100", "--replicates", "5", "--lr", "adam=0.01,signum=0.003,focus=0.003", "--out", dir, "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(0.003, JsonDocument.Parse(stdout).RootElement.GetProperty("curves")[1].GetProperty("lr").GetDouble());
        Assert.Equal(3 * 101 + 1, File.ReadAllLines(Path.Combine(dir, "loss_curves.csv")).Length);
    }
}
