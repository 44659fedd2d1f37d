using System.Text.Json;

namespace FocusLab.Optim.Tests.Golden;

/// <summary>
/// The golden runner itself must fail when it should: a missing or empty folder, an unknown optimizer
/// id, amsgrad = true, a coordinate off by more than the tolerance, a non-finite parameter. It must also
/// honour compare masks. Cases are synthesized here from an independent scalar computation.
/// </summary>
public sealed class GoldenRunnerSelfTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-golden-self-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A two-step plain-SGD case (θ ← θ − η g) on a [2, 3] tensor, with expected values computed in double.</summary>
    private static Dictionary<string, object?> SgdCase(string optimizer = "sgd")
    {
        double[] theta = [0.5, -1.25, 2, 0.75, -0.5, 1];
        double[][] grads = [[1, -2, 0, 0.5, 0.25, -1], [0.5, 0.5, -0.25, 0, 1, 2]];
        double[] lr = [0.1, 0.05];
        var expected = new List<double[][]>();
        var now = (double[])theta.Clone();
        for (int t = 0; t < 2; t++)
        {
            // float32 arithmetic, as the optimizer does, so the synthesized reference is exact for it
            now = now.Select((x, i) => (double)((float)x - (float)lr[t] * (float)grads[t][i])).ToArray();
            expected.Add([now]);
        }
        return new()
        {
            ["name"] = "self", ["optimizer"] = optimizer, ["format_version"] = 1,
            ["hyper"] = new Dictionary<string, object?> { ["lr"] = 0.1, ["momentum"] = 0.0, ["dampening"] = 0.0, ["nesterov"] = false, ["weight_decay"] = 0.0 },
            ["groups"] = new[] { new Dictionary<string, object?> { ["weight_decay"] = 0.0 } },
            ["tensors"] = new[] { new Dictionary<string, object?> { ["name"] = "w", ["shape"] = new[] { 2, 3 }, ["group"] = 0, ["grad_scale_nominal"] = 1.0 } },
            ["lr_per_step"] = lr, ["rtol"] = 1e-5, ["atol"] = 1e-4, ["excluded"] = 0,
            ["params0"] = new[] { theta },
            ["grads"] = grads.Select(g => new[] { g }).ToArray(),
            ["expected"] = expected.ToArray(),
            ["compare"] = new[] { new[] { Enumerable.Repeat(1, 6).ToArray() }, new[] { Enumerable.Repeat(1, 6).ToArray() } },
        };
    }

    private GoldenResult RunCase(Dictionary<string, object?> c)
    {
        string path = Path.Combine(_dir, "case.json");
        File.WriteAllText(path, JsonSerializer.Serialize(c));
        return GoldenRunner.Run(path);
    }

    [Fact]
    public void A_correct_case_passes_with_a_tiny_ratio()
    {
        var r = RunCase(SgdCase());
        Assert.True(r.Passed, r.ToString());
        Assert.True(r.WorstRatio < 1e-2, r.ToString());
        Assert.Equal(12, r.Compared);
    }

    [Fact]
    public void An_unknown_optimizer_id_fails()
    {
        var r = RunCase(SgdCase("adamx"));
        Assert.False(r.Passed);
        Assert.Contains("unknown optimizer id 'adamx'", r.Error);
    }

    [Fact]
    public void Amsgrad_true_fails_and_false_is_accepted()
    {
        var c = SgdCase("adam");
        c["hyper"] = new Dictionary<string, object?> { ["beta1"] = 0.9, ["amsgrad"] = true, ["eps"] = null };
        var r = RunCase(c);
        Assert.False(r.Passed);
        Assert.Contains("amsgrad", r.Error);

        c = SgdCase();
        ((Dictionary<string, object?>)c["hyper"]!)["amsgrad"] = false;
        ((Dictionary<string, object?>)c["hyper"]!)["centered"] = null; // null = not applicable, skipped
        Assert.True(RunCase(c).Passed);
    }

    [Fact]
    public void A_coordinate_off_by_more_than_the_tolerance_fails_unless_masked()
    {
        var c = SgdCase();
        var expected = (double[][][])c["expected"]!;
        expected[1][0][4] += 3e-4; // atol 1e-4 + rtol·|e| ≈ 1.1e-4
        var r = RunCase(c);
        Assert.False(r.Passed);
        Assert.True(r.WorstRatio > 2, r.ToString());
        Assert.Contains("step 2 w[4]", r.WorstAt);

        var compare = (int[][][])c["compare"]!;
        compare[1][0][4] = 0;
        c["excluded"] = 1;
        r = RunCase(c);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(11, r.Compared);
    }

    [Fact]
    public void A_non_finite_parameter_fails()
    {
        var c = SgdCase();
        ((double[][][])c["grads"]!)[0][0][1] = 1e39; // rounds to +Inf in float32
        var r = RunCase(c);
        Assert.False(r.Passed);
        Assert.True(double.IsPositiveInfinity(r.WorstRatio));
    }

    [Fact]
    public void A_wrong_excluded_count_is_reported_as_a_malformed_file()
    {
        var c = SgdCase();
        c["excluded"] = 3;
        var r = RunCase(c);
        Assert.False(r.Passed);
        Assert.Contains("excluded", r.Error);
    }

    [Fact]
    public void A_missing_or_empty_folder_fails()
    {
        Assert.Throws<DirectoryNotFoundException>(() => GoldenRunner.RunFolder(Path.Combine(_dir, "absent")));
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        Assert.Throws<FileNotFoundException>(() => GoldenRunner.RunFolder(Path.Combine(_dir, "empty")));
    }

    [Fact]
    public void The_default_folder_is_the_repositorys_own_vectors()
    {
        string expected = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "tests", "FocusLab.Optim.Tests", "Golden", "vectors"));
        Assert.Equal(expected, Path.GetFullPath(GoldenFolder.DefaultPath));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "FocusLab.slnx")));
        Assert.True(Directory.GetFiles(expected, "*.json").Length >= 35, "the repository keeps at least the 35 public golden cases");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(GoldenFolder.EnvironmentVariable)))
            Assert.Equal(expected, GoldenFolder.Path);
    }

    [Fact]
    public void The_spec_maps_canonical_names_booleans_strings_and_skips_nulls_and_lr()
    {
        var c = SgdCase();
        c["hyper"] = new Dictionary<string, object?> { ["lr"] = 0.1, ["nesterov"] = true, ["momentum"] = 0.9, ["decay"] = "after", ["beta1"] = null };
        string path = Path.Combine(_dir, "spec.json");
        File.WriteAllText(path, JsonSerializer.Serialize(c));
        Assert.Equal("sgd:nesterov=true,momentum=0.9,decay=after", GoldenRunner.Spec(GoldenCase.Load(path)));
    }
}
