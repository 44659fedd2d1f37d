using System.Text.Json;

namespace FocusLab.Cli.Tests;

public class OptimizerCommandsTests
{
    [Fact]
    public void Optimizers_json_lists_every_id_with_defaults_and_ranges()
    {
        var (code, stdout, _) = CliRunner.Run("optimizers", "--json");
        Assert.Equal(0, code);
        var doc = JsonDocument.Parse(stdout).RootElement;
        var ids = doc.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToHashSet();
        foreach (var id in new[] { "sgd", "adam", "adamw", "nadam", "rmsprop", "signum", "focus", "lion", "s3", "adafactor", "normalized_sgd", "adasgd", "blockwise_adam", "adan", "muon", "schedulefree_adamw", "sophia", "adam_mini" })
            Assert.Contains(id, ids);
        var focus = doc.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "focus");
        var gamma = focus.GetProperty("hyperparameters").EnumerateArray().Single(h => h.GetProperty("name").GetString() == "gamma");
        Assert.Equal("0.1", gamma.GetProperty("default").GetString());
    }

    [Fact]
    public void Bench_optim_measures_muon_next_to_adamw_on_the_gpt_matrices()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "optim", "--json", "--params", "65536", "--steps", "1", "--optimizers", "muon", "--threads", "1");
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Empty(doc.GetProperty("results").EnumerateArray());
        var gm = doc.GetProperty("gpt_matrices");
        Assert.Equal(16, gm.GetProperty("shapes").GetArrayLength()); // 4 blocks × (c_attn, c_proj, c_fc, mlp c_proj)
        var rows = gm.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["adamw", "muon", "muon"], rows.Select(r => r.GetProperty("optimizer").GetString()));
        Assert.Equal(1.0, rows[0].GetProperty("ratio_to_adamw").GetDouble());
        Assert.All(rows, r => Assert.True(r.GetProperty("median_step_s").GetDouble() > 0));
    }

    [Fact]
    public void Bad_input_gives_one_clear_line_and_exit_code_2()
    {
        var (code, stdout, stderr) = CliRunner.Run("optimizers", "nadamw");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("focuslab: error: Unknown optimizer 'nadamw'. Known:", stderr);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
    }

    [Fact]
    public void Bench_optim_json_has_the_documented_fields()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "optim", "--json", "--params", "65536", "--steps", "2", "--optimizers", "signum,adamw", "--threads", "1,2");
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.True(doc.GetProperty("copy_gbps").GetDouble() > 0);
        var results = doc.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(2 * 2 * 2, results.Length); // optimizers × layouts × thread counts
        foreach (var r in results)
        {
            Assert.Contains(r.GetProperty("optimizer").GetString(), new[] { "signum", "adamw" });
            Assert.Contains(r.GetProperty("layout").GetString(), new[] { "flat", "list100" });
            Assert.True(r.GetProperty("median_step_s").GetDouble() > 0);
            Assert.Equal(65536 / r.GetProperty("median_step_s").GetDouble(), r.GetProperty("params_per_s").GetDouble(), 3);
            long bytes = r.GetProperty("bytes_per_step").GetInt64();
            Assert.Equal(r.GetProperty("optimizer").GetString() == "adamw" ? 28 * 65536 : 20 * 65536, bytes);
            Assert.True(r.GetProperty("gbps").GetDouble() > 0);
        }
    }
}
