using System.Text.Json;
using System.Xml.Linq;
using FocusLab.Engine.Data;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Studies.Sharpness;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Studies.Sharpness;

public class SharpnessStudyTests
{
    private static readonly GptConfig TinyGpt = new(VocabSize: 256, BlockSize: 8, Layers: 1, Heads: 2, Embedding: 8);
    private static readonly byte[] Text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 40)));

    private static SharpnessStudyOptions Tiny(int[] checkpoints) => new()
    {
        Model = "gpt", Gpt = TinyGpt, Batch = 2, MeasureBatch = 2, Steps = 6, Checkpoints = checkpoints,
        Trajectories = [("sgd", "sgd:lr=0.1,momentum=0.9"), ("adam", "adam:lr=0.003")],
    };

    private static SharpnessTask Gpt(int seed) => new SharpnessGptTask(TinyGpt, Text, 2, 2, seed);

    [Fact]
    public void Every_checkpoint_has_every_direction_and_sgd_is_the_unit_reference()
    {
        var options = Tiny([3, 6]);
        var report = SharpnessStudy.Run(options, Gpt);
        Assert.Equal(4, report.Checkpoints.Length);
        Assert.Equal(["sgd", "sgd", "adam", "adam"], report.Checkpoints.Select(c => c.Trajectory));
        foreach (var c in report.Checkpoints)
        {
            Assert.Equal(options.Directions.Select(d => d.Name), c.Rows.Select(r => r.Optimizer));
            var sgd = c.Rows[0];
            Assert.Equal(1.0, sgd.RatioToSgd);
            foreach (var r in c.Rows)
            {
                Assert.Equal(r.Sharpness / sgd.Sharpness, r.RatioToSgd, 12);
                Assert.True(r.BestLossReduction >= 0 && double.IsFinite(r.Sharpness));
                Assert.Equal(r.LineSearchLosses[0], c.MeasureLoss, 6);
                // The minimum lies in its bracket, and its loss is one of the evaluated points.
                if (r.LineSearchEnoughPointsBelowStart && !r.LineSearchCapped) Assert.InRange(r.BestStep, r.LineSearchBracketLow, r.LineSearchBracketHigh);
                Assert.Contains(c.MeasureLoss - r.BestLossReduction, r.LineSearchLosses);
            }
        }
        Assert.Equal(options.Trajectories.Length * options.Directions.Length, report.Summary.Length);
    }

    [Fact]
    public void Measuring_does_not_change_the_trajectory_and_checkpoints_are_the_trained_parameters()
    {
        var measured = SharpnessStudy.Run(Tiny([2, 5]), Gpt);
        var unmeasured = SharpnessStudy.Run(Tiny([6]), Gpt);
        foreach (var t in new[] { "sgd", "adam" })
            Assert.Equal(unmeasured.TrainingCurves.Single(c => c.Trajectory == t).Losses, measured.TrainingCurves.Single(c => c.Trajectory == t).Losses);

        // Independent training loop: 5 adam steps from the same seed reach the checkpoint the study measured.
        var task = Gpt(1);
        var optimizer = OptimizerFactory.Create("adam:lr=0.003", task.Model.OptimParameterList());
        for (int k = 0; k < 5; k++) { task.ForwardBackward(); optimizer.Step(); }
        var checkpoint = measured.Checkpoints.Single(c => c.Trajectory == "adam" && c.Step == 5);
        Assert.Equal(task.MeasurementLoss().Loss(), checkpoint.MeasureLoss);
    }

    [Fact]
    public void Whole_trajectory_moments_equal_a_window_holding_every_gradient()
    {
        // adam, sgd and lion read no θ in their steps, so moments accumulated online along the run equal the
        // moments replayed from the checkpoint over a window that holds every gradient since step 1.
        var online = SharpnessStudy.Run(Tiny([5]), Gpt);
        var replayed = SharpnessStudy.Run(Tiny([5]) with { Moments = PseudoUpdateMoments.Window, Window = 6 }, Gpt);
        var shortWindow = SharpnessStudy.Run(Tiny([5]) with { Moments = PseudoUpdateMoments.Window, Window = 2 }, Gpt);
        foreach (var name in new[] { "sgd", "adam", "lion", "sgd_clip" })
            for (int c = 0; c < online.Checkpoints.Length; c++)
            {
                double a = online.Checkpoints[c].Rows.Single(r => r.Optimizer == name).Sharpness;
                double b = replayed.Checkpoints[c].Rows.Single(r => r.Optimizer == name).Sharpness;
                Assert.Equal(a, b, 1e-5 * Math.Abs(a));
            }
        Assert.NotEqual(online.Checkpoints[0].Rows.Single(r => r.Optimizer == "adam").Sharpness, shortWindow.Checkpoints[0].Rows.Single(r => r.Optimizer == "adam").Sharpness);
    }

    [Fact]
    public void Gpt_gauss_newton_measures_both_criteria_with_attention_candidates()
    {
        var options = Tiny([6]) with { Trajectories = [("adam", "adam:lr=0.003")], GaussNewtonBatch = 2, GaussNewtonCandidates = SharpnessStudyOptions.AttentionWeights };
        var report = SharpnessStudy.Run(options, Gpt);
        var g = report.Checkpoints.Single().GaussNewton!;
        // c_attn (3·8×8) and c_proj (8×8) of the one block.
        Assert.Equal(4 * 8 * 8, g.FactorNorm.CandidateCount);
        Assert.Equal((int)report.Parameters, g.RowNorm.CandidateCount);
        Assert.Equal((2, 256), (g.Samples, g.Classes));
        Assert.True(g.FactorNorm.Removed <= g.FactorNorm.CandidateCount && g.FactorNorm.Ratio >= 1 - 1e-9 && g.RowNorm.Ratio >= 1 - 1e-9, $"{g}");
        Assert.Equal(2, report.Claims.Count(c => c.Claim.Contains("Gauss–Newton")));
        Assert.Contains("tensors named *.attn.*", report.Claims.Last().Claim);
        Assert.Contains("no parameter tensor", Assert.Throws<ArgumentException>(() => SharpnessStudy.Run(options with { GaussNewtonCandidates = "nosuch" }, Gpt)).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Same_seed_gives_the_same_report()
    {
        var a = SharpnessStudy.Run(Tiny([4]), Gpt);
        var b = SharpnessStudy.Run(Tiny([4]), Gpt);
        Assert.Equal(SharpnessOutput.ToCsv(a), SharpnessOutput.ToCsv(b));
    }

    [Fact]
    public void Runs_in_parallel_give_the_report_of_runs_one_after_another()
    {
        var options = Tiny([2, 4]) with { Seeds = [1, 2] };
        var serial = SharpnessStudy.Run(options with { ParallelRuns = 1 }, Gpt);
        var parallel = SharpnessStudy.Run(options with { ParallelRuns = 4 }, Gpt);
        Assert.Equal(SharpnessOutput.ToCsv(serial), SharpnessOutput.ToCsv(parallel));
        Assert.Equal(serial.TrainingCurves.Select(c => (c.Trajectory, c.Seed)), parallel.TrainingCurves.Select(c => (c.Trajectory, c.Seed)));
        Assert.Equal(serial.TrainingCurves.SelectMany(c => c.Losses), parallel.TrainingCurves.SelectMany(c => c.Losses));
        Assert.Equal(8, serial.Checkpoints.Length); // 2 seeds × 2 trajectories × 2 checkpoints
    }

    [Fact]
    public void Mlp_task_trains_and_is_measured()
    {
        var rng = new Random(5);
        int n = 64, features = 6;
        var x = Enumerable.Range(0, n * features).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => x[i * features] + x[i * features + 1] > 0 ? 1 : 0).ToArray();
        var data = new ClassificationDataset(x, y, [features], 2);
        var config = new MlpConfig(Inputs: features, Hidden: 5, Depth: 2, Classes: 2);
        var options = new SharpnessStudyOptions
        {
            Model = "mlp", Mlp = config, Batch = 16, MeasureBatch = 32, Steps = 8, Checkpoints = [8],
            Trajectories = [("sgd", "sgd:lr=0.05,momentum=0.9"), ("adam", "adam:lr=0.01")], GaussNewtonBatch = 8,
        };
        var report = SharpnessStudy.Run(options, seed => new SharpnessMlpTask(config, data, 16, 32, seed));
        Assert.Equal(2, report.Checkpoints.Length);
        Assert.All(report.Checkpoints, c => Assert.Equal(SharpnessStudyOptions.PanLiDirections.Length, c.Rows.Length));
        Assert.Contains(report.Claims, c => c.Claim.Contains("non-transformer"));
        // The Gauss–Newton measurement runs on the first 8 measurement samples of every checkpoint.
        Assert.All(report.Checkpoints, c =>
        {
            var g = c.GaussNewton!;
            Assert.Equal((8, 2, (int)report.Parameters), (g.Samples, g.Classes, g.Dimension));
            foreach (var cut in new[] { g.RowNorm, g.FactorNorm })
                Assert.True(g.SpectralNorm > 0 && cut.ReducedSpectralNorm <= g.SpectralNorm * (1 + 1e-9) && cut.Ratio >= 1 - 1e-9, $"{cut}");
        });
        Assert.Equal(2, report.Claims.Count(c => c.Claim.Contains("Gauss–Newton")));
        // The Gauss–Newton passes leave the trajectory alone (mode, gradients and BatchNorm statistics restored).
        var without = SharpnessStudy.Run(options with { GaussNewtonBatch = 0 }, seed => new SharpnessMlpTask(config, data, 16, 32, seed));
        Assert.Equal(without.TrainingCurves.SelectMany(c => c.Losses), report.TrainingCurves.SelectMany(c => c.Losses));
        Assert.Equal(without.Checkpoints.SelectMany(c => c.Rows.Select(r => r.Sharpness)), report.Checkpoints.SelectMany(c => c.Rows.Select(r => r.Sharpness)));
        Assert.Equal(["sgd", "sgd", "adam", "adam"], report.GaussNewtonSummary.Select(s => s.Trajectory));
        Assert.Equal(1 + 2 * 2, SharpnessOutput.GaussNewtonCsv(report).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("2..32", Assert.Throws<ArgumentException>(() => (options with { GaussNewtonBatch = 33 }).Validate()).Message);
    }

    [Fact]
    public void Output_files_are_valid_json_csv_and_svg()
    {
        var report = SharpnessStudy.Run(Tiny([6]) with { Trajectories = [("adam", "adam:lr=0.003")] }, Gpt);
        string dir = Path.Combine(Path.GetTempPath(), $"sharpness-test-{Guid.NewGuid():N}");
        try
        {
            var files = SharpnessOutput.Write(report, dir);
            Assert.Equal(7, files.Length);
            // The line-search plot of the one checkpoint: one line per direction, and the minima marked.
            var lineSearch = XDocument.Parse(File.ReadAllText(files[6]));
            Assert.EndsWith("linesearch_adam_s1_step6.svg", files[6]);
            // Each drawn direction is named in the legend.
            var legend = lineSearch.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value.Trim()).ToHashSet();
            Assert.True(report.Checkpoints[0].Rows.Where(r => r.LineSearchEnoughPointsBelowStart).All(r => legend.Contains(r.Optimizer)));
            Assert.True(report.Checkpoints[0].Rows.Count(r => r.LineSearchEnoughPointsBelowStart) >= SharpnessStudyOptions.PanLiDirections.Length - 1);
            Assert.Contains("adam_update_clip", File.ReadAllText(files[6]));
            Assert.Contains("minimum", File.ReadAllText(files[6]));
            // The line-search data: one row per direction with its bracket, minimum, cap flag and every evaluated step.
            var searches = File.ReadAllLines(files[5]);
            Assert.EndsWith("sharpness_gpt_linesearch.csv", files[5]);
            Assert.Equal(1 + SharpnessStudyOptions.PanLiDirections.Length, searches.Length);
            var header = searches[0].Split(',');
            Assert.All(searches, line => Assert.Equal(header.Length, line.Split(',').Length));
            var row = report.Checkpoints[0].Rows[2];
            var cells = searches[3].Split(',');
            Assert.Equal(row.Optimizer, cells[Array.IndexOf(header, "optimizer")]);
            Assert.Equal(row.LineSearchSteps.Length, cells[Array.IndexOf(header, "steps")].Split(';').Length);
            Assert.Equal(row.BestStep, double.Parse(cells[Array.IndexOf(header, "best_step")], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("svg", XDocument.Parse(File.ReadAllText(files[4])).Root!.Name.LocalName);
            using var doc = JsonDocument.Parse(File.ReadAllText(files[0]));
            Assert.Equal("sharpness", doc.RootElement.GetProperty("study").GetString());
            Assert.Equal(SharpnessStudyOptions.PanLiDirections.Length, doc.RootElement.GetProperty("checkpoints")[0].GetProperty("rows").GetArrayLength());
            var csv = File.ReadAllLines(files[1]);
            Assert.Equal(1 + SharpnessStudyOptions.PanLiDirections.Length, csv.Length);
            Assert.All(csv, line => Assert.Equal(csv[0].Split(',').Length, line.Split(',').Length));
            var svg = XDocument.Parse(File.ReadAllText(files[2]));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            var labels = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value.Trim()).ToArray();
            Assert.Equal(2, labels.Count(t => t == "adam trajectory")); // the legend of each of the two bar charts
            Assert.Contains("<svg", File.ReadAllText(files[3]));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Invalid_options_are_refused_up_front()
    {
        Assert.Contains("Checkpoints", Assert.Throws<ArgumentException>(() => SharpnessStudy.Run(Tiny([7]), Gpt)).Message);
        Assert.Contains("preset", Assert.Throws<ArgumentException>(() => SharpnessStudyOptions.Preset("gpt", "huge")).Message);
        Assert.Contains("Unknown optimizer", Assert.Throws<ArgumentException>(() => SharpnessStudy.Run(Tiny([3]) with { Trajectories = [("x", "adamm:lr=1")] }, Gpt)).Message);
        Assert.Contains("reference", Assert.Throws<ArgumentException>(() => SharpnessStudy.Run(Tiny([3]) with { Directions = [new("adam", "adam:lr=1")] }, Gpt)).Message);
    }
}
