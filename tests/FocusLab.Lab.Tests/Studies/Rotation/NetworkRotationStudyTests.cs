using System.Text.Json;
using System.Xml.Linq;
using FocusLab.Engine.Data;
using FocusLab.Engine.Models;
using FocusLab.Lab.ModelLoss;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Rotation;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Lab.Tests.Studies.Rotation;

public class NetworkRotationStudyTests
{
    private static readonly MlpConfig Tiny = FocusLab.Lab.Tests.Training.TinyTasks.StudyMlp;

    private static ClassificationDataset Data() => FocusLab.Lab.Tests.Training.TinyTasks.StudyData();

    private static NetworkRotationOptions Options(int steps, int[] checkpoints) => new()
    {
        Model = "mlp", Mlp = Tiny, Batch = 16, MeasureBatch = 32, Steps = steps, Checkpoints = checkpoints, Rounds = 2, EstimatorSamples = 16,
        Optimizers = [("adam", "adam:lr=0.01"), ("adasgd", "adasgd:lr=0.01"), ("sgd", "sgd:lr=0.05,momentum=0.9")],
        LearningRateFactors = [1], MaxLrExtensions = 0, Seeds = [1],
    };

    private static NetworkRotationReport Run(NetworkRotationOptions o)
    {
        var data = Data();
        return NetworkRotationStudy.Run(o, seed => new SharpnessMlpTask(Tiny, data, o.Batch, o.MeasureBatch, seed));
    }

    private static double MaxRelativeGap(NetworkRotationReport r, string optimizer)
    {
        var a = r.Runs.Single(x => x.Optimizer == optimizer && !x.Rotated).Losses;
        var b = r.Runs.Single(x => x.Optimizer == optimizer && x.Rotated).Losses;
        return a.Zip(b, (p, q) => Math.Abs(p - q) / Math.Abs(p)).Max();
    }

    [Fact]
    public void Sgd_and_adasgd_follow_the_same_path_on_the_rotated_loss_and_adam_does_not()
    {
        // With the paper's warm-up + cosine and a clipping threshold the gradients exceed: both depend only on ‖g‖ and
        // the step, so the controls stay equivariant.
        var r = Run(Options(12, []) with { ClipNorm = 0.05 });
        // Equivariant optimizers: only float32 rounding of the rotated coordinates separates the two runs.
        Assert.True(MaxRelativeGap(r, "sgd") < 1e-4, $"sgd gap {MaxRelativeGap(r, "sgd")}");
        Assert.True(MaxRelativeGap(r, "adasgd") < 1e-4, $"adasgd gap {MaxRelativeGap(r, "adasgd")}");
        Assert.True(MaxRelativeGap(r, "adam") > 1e-3, $"adam gap {MaxRelativeGap(r, "adam")}");
        // Both runs of every optimizer start from the same network (x₀ = Rᵀy₀).
        foreach (var o in new[] { "adam", "adasgd", "sgd" })
            Assert.Equal(r.Runs.Single(x => x.Optimizer == o && !x.Rotated).Losses[0], r.Runs.Single(x => x.Optimizer == o && x.Rotated).Losses[0], 5);
    }

    [Fact]
    public void Rotation_raises_the_l11_norm_at_the_same_network()
    {
        // sgd's two runs sit at the same network y, so the estimates compare H with RᵀHR at one point.
        var r = Run(Options(4, [4]) with { EstimatorSamples = 64 });
        var orig = r.Runs.Single(x => x.Optimizer == "sgd" && !x.Rotated).Checkpoints.Single();
        var rot = r.Runs.Single(x => x.Optimizer == "sgd" && x.Rotated).Checkpoints.Single();
        Assert.Equal(orig.MeasureLoss, rot.MeasureLoss, 5);
        Assert.True(rot.L11IqrPerDimension > orig.L11IqrPerDimension, $"rotated {rot.L11IqrPerDimension} vs original {orig.L11IqrPerDimension}");
    }

    /// <summary>The MLP task, except that its loss turns NaN once any parameter exceeds a bound (a stand-in for divergence).</summary>
    private sealed class DivergingTask(SharpnessTask inner, float bound) : SharpnessTask
    {
        public override FocusLab.Engine.Nn.Module<float> Model => inner.Model;
        public override FocusLab.Lab.ModelLoss.EngineModelLoss MeasurementLoss() => inner.MeasurementLoss();
        public override double ForwardBackward()
        {
            double loss = inner.ForwardBackward();
            return Model.Parameters.Any(p => p.Value.Span.ToArray().Any(v => Math.Abs(v) > bound)) ? double.NaN : loss;
        }
    }

    [Fact]
    public void Each_optimizer_keeps_its_best_lr_per_loss_and_a_diverged_lr_is_never_chosen()
    {
        var o = Options(10, [10]) with { Optimizers = [("adam", "adam:lr=0.01"), ("sgd", "sgd:lr=0.05,momentum=0.9")], LearningRateFactors = [0.2, 1, 5000], Schedule = RotationSchedule.Constant, ClipNorm = 0 };
        var data = Data();
        var r = NetworkRotationStudy.Run(o, seed => new DivergingTask(new SharpnessMlpTask(Tiny, data, o.Batch, o.MeasureBatch, seed), 20));
        Assert.Equal(2 * 2 * 3, r.Runs.Length);
        Assert.Equal(4, r.LearningRates!.Length);
        foreach (var g in r.LearningRates)
        {
            // The huge lr diverged (its runs stop with NaN) and the choice is the lowest mean final loss of the rest.
            Assert.True(double.IsNaN(g.MeanFinalLoss[2]), $"{g.Optimizer}: {g.MeanFinalLoss[2]}");
            Assert.Equal(g.LearningRates[g.MeanFinalLoss[0] <= g.MeanFinalLoss[1] ? 0 : 1], g.BestLearningRate);
            var runs = r.Runs.Where(x => x.Optimizer == g.Optimizer && x.Rotated == g.Rotated).ToArray();
            Assert.True(runs.Single(x => x.LearningRate == g.LearningRates[2]).Diverged);
            var best = runs.Single(x => x.Best);
            Assert.Equal(g.BestLearningRate, best.LearningRate);
            Assert.Contains($"lr={g.BestLearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", best.Spec);
            Assert.Equal(g.MeanFinalLoss.Where(double.IsFinite).Min(), best.FinalLoss);
            // Only the chosen runs are measured, at the stored checkpoint.
            Assert.Equal([10], best.Checkpoints.Select(c => c.Step));
            Assert.All(runs.Where(x => !x.Best), x => Assert.Empty(x.Checkpoints));
        }
        // sgd is rotation-equivariant, so both losses rank its lrs alike.
        Assert.Equal(r.LearningRates.Single(g => g.Optimizer == "sgd" && !g.Rotated).BestLearningRate, r.LearningRates.Single(g => g.Optimizer == "sgd" && g.Rotated).BestLearningRate);
        Assert.Contains("distinct positive", Assert.Throws<ArgumentException>(() => (o with { LearningRateFactors = [1, 1] }).Validate()).Message);
        Assert.Contains("lr=", Assert.Throws<ArgumentException>(() => (o with { Optimizers = [("adafactor", "adafactor")] }).Validate()).Message);
    }

    [Fact]
    public void A_best_lr_at_the_grid_edge_extends_the_grid_for_every_seed()
    {
        // Tiny lrs: the largest is best, so the grid grows upwards (×2 per extension) and every new lr runs all seeds.
        var o = Options(6, [6]) with { Optimizers = [("sgd", "sgd:lr=0.05,momentum=0.9")], LearningRateFactors = [1e-4, 2e-4], MaxLrExtensions = 2, Seeds = [1, 2] };
        var r = Run(o);
        foreach (var g in r.LearningRates!)
        {
            Assert.Equal(2, g.Extensions);
            Assert.True(g.AtEdge);
            Assert.Equal(4, g.LearningRates.Length);
            for (int i = 0; i < 4; i++) Assert.Equal(5e-6 * Math.Pow(2, i), g.LearningRates[i], 1e-18);
            Assert.Equal(g.LearningRates.Max(), g.BestLearningRate);
            Assert.All(g.StdFinalLoss!, sd => Assert.True(sd > 0));
            Assert.Equal(4 * 2, r.Runs.Count(x => x.Rotated == g.Rotated));
        }
        // The verdict on sgd rests on an edge optimum: not testable.
        var sgd = r.Claims.Single(c => c.Claim.StartsWith("sgd", StringComparison.Ordinal));
        Assert.Equal(FocusLab.Lab.Reports.ClaimOutcome.NotTestableAtThisScale, sgd.Outcome);
        Assert.Contains("edge", sgd.Reason);
        Assert.All(r.Claims, c => Assert.Contains("Xie", c.Paper));
    }

    [Fact]
    public void Adam_is_slower_only_when_the_paired_difference_exceeds_its_spread()
    {
        NetworkRotationRun Seeded(string o, bool rotated, int seed, double final) => new(o, o, rotated, seed, [final], final, []);
        // Rotated − original per seed: +0.3, −0.1, +0.1: mean 0.1 (10%) but spread 0.2.
        var noisy = NetworkRotationStudy.Claims([Seeded("adam", false, 1, 1.0), Seeded("adam", true, 1, 1.3), Seeded("adam", false, 2, 1.0), Seeded("adam", true, 2, 0.9), Seeded("adam", false, 3, 1.0), Seeded("adam", true, 3, 1.1)]);
        Assert.False(noisy.Single().Holds, noisy.Single().Evidence);
        Assert.Contains("0.1 ± 0.2", noisy.Single().Evidence);
        // +0.1, +0.12, +0.08: mean 0.1, spread 0.02.
        var clear = NetworkRotationStudy.Claims([Seeded("adam", false, 1, 1.0), Seeded("adam", true, 1, 1.1), Seeded("adam", false, 2, 1.0), Seeded("adam", true, 2, 1.12), Seeded("adam", false, 3, 1.0), Seeded("adam", true, 3, 1.08)]);
        Assert.True(clear.Single().Holds, clear.Single().Evidence);
    }

    [Fact]
    public void Claims_read_the_final_losses()
    {
        NetworkRotationRun Run(string o, bool rotated, double final) => new(o, o, rotated, 1, [final], final, []);
        var claims = NetworkRotationStudy.Claims([Run("adam", false, 1.0), Run("adam", true, 1.2), Run("sgd", false, 1.0), Run("sgd", true, 1.005)]);
        Assert.All(claims, c => Assert.True(c.Holds, c.Evidence));
        claims = NetworkRotationStudy.Claims([Run("adam", false, 1.0), Run("adam", true, 1.0), Run("sgd", false, 1.0), Run("sgd", true, 1.5)]);
        Assert.All(claims, c => Assert.False(c.Holds, c.Evidence));
    }

    [Fact]
    public void Output_files_are_valid_and_bad_options_are_refused()
    {
        var r = Run(Options(3, [3]) with { Optimizers = [("sgd", "sgd:lr=0.05")] });
        string dir = Path.Combine(Path.GetTempPath(), $"rotation-test-{Guid.NewGuid():N}");
        try
        {
            var files = NetworkRotationOutput.Write(r, dir);
            // Curves: one row per (optimizer, loss) and block of steps (3 steps: one block each).
            var curves = File.ReadAllLines(files[4]);
            Assert.Equal(["model,optimizer,loss,lr,seeds,step,mean_loss,std_loss", "mlp,sgd,original,0.05,1,1," + r.Runs[0].Losses[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ",0"], curves[..2]);
            Assert.Equal(1 + 2 * 3, curves.Length);
            using var doc = JsonDocument.Parse(File.ReadAllText(files[0]));
            Assert.Equal(2, doc.RootElement.GetProperty("runs").GetArrayLength());
            Assert.Equal(3, File.ReadAllLines(files[1]).Length);
            Assert.Equal("svg", XDocument.Parse(File.ReadAllText(files[2])).Root!.Name.LocalName);
        }
        finally { Directory.Delete(dir, true); }
        Assert.Contains("Cauchy", Assert.Throws<ArgumentException>(() => Run(Options(3, [3]) with { EstimatorSamples = 2 })).Message);
        Assert.Contains("network", Assert.Throws<ArgumentException>(() => NetworkRotationOptions.Default("resnet")).Message);
    }
}
