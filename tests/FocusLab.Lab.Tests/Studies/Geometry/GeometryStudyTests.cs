using FocusLab.Engine.Data;
using FocusLab.Engine.Models;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Studies.Geometry;
using FocusLab.Lab.Studies.Rotation;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Lab.Tests.Studies.Geometry;

public class GeometryStudyTests
{
    private static readonly MlpConfig Tiny = FocusLab.Lab.Tests.Training.TinyTasks.StudyMlp;

    private static ClassificationDataset Data() => FocusLab.Lab.Tests.Training.TinyTasks.StudyData();

    private static GeometryStudyOptions Options(int steps) => new()
    {
        Network = new NetworkRotationOptions
        {
            Model = "mlp", Mlp = Tiny, Batch = 16, MeasureBatch = 32, Steps = steps, Checkpoints = [steps], Rounds = 2, EstimatorSamples = 16,
            Optimizers = [("sgd", "sgd:lr=0.05,momentum=0.9"), ("muon", "muon:lr=0.02,weight_decay=0,aux=adam:lr=0.01"), ("adam", "adam:lr=0.01")],
            LearningRateFactors = [1], MaxLrExtensions = 0, Seeds = [1], ClipNorm = 0.05,
        },
        SpectralStarts = 2, SpectralIterations = 4, LanczosIterations = 40,
    };

    private static GeometryStudyReport Run(GeometryStudyOptions o)
    {
        var data = Data();
        return GeometryStudy.Run(o, seed => new SharpnessMlpTask(Tiny, data, o.Network.Batch, o.Network.MeasureBatch, seed));
    }

    private static double Gap(GeometryStudyReport r, string optimizer, string loss)
    {
        var a = r.Runs.Single(x => x.Optimizer == optimizer && x.Loss == "original").Losses;
        var b = r.Runs.Single(x => x.Optimizer == optimizer && x.Loss == loss).Losses;
        return a.Zip(b, (p, q) => Math.Abs(p - q) / Math.Abs(p)).Max();
    }

    [Fact]
    public void Each_optimizer_is_invariant_exactly_where_its_geometry_says()
    {
        // 20 steps with warm-up + cosine and a clipping threshold the gradients exceed (both rotation-invariant).
        var r = Run(Options(20));
        // sgd (ℓ2): both rotations are orthogonal maps of x, so only float32 rounding separates the runs.
        Assert.True(Gap(r, "sgd", "coordinate") < 1e-4, $"sgd coordinate gap {Gap(r, "sgd", "coordinate")}");
        Assert.True(Gap(r, "sgd", "matrix") < 1e-4, $"sgd matrix gap {Gap(r, "sgd", "matrix")}");
        // muon (spectral): Newton–Schulz is equivariant, msign(U·M·Vᵀ) = U·msign(M)·Vᵀ, but the coordinate rotation mixes
        // entries across matrices and with the auxiliary optimizer's tensors.
        Assert.True(Gap(r, "muon", "matrix") < 1e-4, $"muon matrix gap {Gap(r, "muon", "matrix")}");
        Assert.True(Gap(r, "muon", "coordinate") > 1e-3, $"muon coordinate gap {Gap(r, "muon", "coordinate")}");
        // adam (ℓ∞): changed by both.
        Assert.True(Gap(r, "adam", "coordinate") > 1e-3, $"adam coordinate gap {Gap(r, "adam", "coordinate")}");
        Assert.True(Gap(r, "adam", "matrix") > 1e-3, $"adam matrix gap {Gap(r, "adam", "matrix")}");
        // Every run of an optimizer starts from the same network.
        foreach (var run in r.Runs) Assert.Equal(r.Runs.First(x => x.Optimizer == run.Optimizer).Losses[0], run.Losses[0], 5);

        // sgd's three runs end at the same network: λmax of H, RᵀHR is the same (an exact invariant of both rotations),
        // the measurement loss too, and ‖H‖₁,₁ grows under the coordinate rotation.
        var m = new[] { "original", "coordinate", "matrix" }.Select(l => r.Runs.Single(x => x.Optimizer == "sgd" && x.Loss == l).Measure!).ToArray();
        Assert.All(m, x => Assert.Equal(m[0].MeasureLoss, x.MeasureLoss, 4));
        Assert.All(m, x => Assert.Equal(m[0].LambdaMax, x.LambdaMax, 1e-3 * m[0].LambdaMax));
        Assert.True(m[1].L11IqrPerDimension > m[0].L11IqrPerDimension, $"coordinate {m[1].L11IqrPerDimension} vs original {m[0].L11IqrPerDimension}");
        Assert.All(m, x => Assert.True(x.SpectralSmoothness > 0 && x.SpectralSmoothness >= x.SpectralPerStart.Max() - 1e-12));

        // The comparisons carry the predictions of each geometry.
        Assert.Equal("unchanged", r.Comparisons.Single(c => c.Optimizer == "muon" && c.Rotation == "matrix").Prediction);
        Assert.Equal("hurt", r.Comparisons.Single(c => c.Optimizer == "muon" && c.Rotation == "coordinate").Prediction);
        // A one-point lr grid is at its own edge: no verdict is drawn from it.
        Assert.All(r.Comparisons, c => Assert.Equal(ClaimVerdict.NotTestable, c.Verdict));
    }

    [Fact]
    public void Comparisons_judge_unchanged_and_hurt_against_one_percent_and_the_seed_spread()
    {
        GeometryRun Run(string o, string loss, int seed, double final) => new(o, o, loss, seed, 0.1, true, [final], final, null);
        GeometryLearningRates Grid(string o, string loss, bool edge = false) => new(o, loss, [0.1], [1], [0], 0.1, edge, 0);
        var runs = new[]
        {
            Run("adam", "original", 1, 1.00), Run("adam", "original", 2, 1.10), Run("adam", "original", 3, 0.90),
            Run("adam", "matrix", 1, 1.20), Run("adam", "matrix", 2, 1.31), Run("adam", "matrix", 3, 1.09), // +0.2 ± 0.01: hurt
            Run("adam", "coordinate", 1, 1.00), Run("adam", "coordinate", 2, 1.30), Run("adam", "coordinate", 3, 0.80), // +0.033 ± 0.25: not
            Run("sgd", "original", 1, 1.0), Run("sgd", "matrix", 1, 1.005), Run("sgd", "coordinate", 1, 1.05),
        };
        var grids = new[] { Grid("adam", "original"), Grid("adam", "matrix"), Grid("adam", "coordinate"), Grid("sgd", "original"), Grid("sgd", "matrix"), Grid("sgd", "coordinate", edge: true) };
        var c = GeometryStudy.Compare(runs, grids);
        Assert.Equal(ClaimVerdict.Reproduced, c.Single(x => x.Optimizer == "adam" && x.Rotation == "matrix").Verdict);
        Assert.Equal(ClaimVerdict.NotReproduced, c.Single(x => x.Optimizer == "adam" && x.Rotation == "coordinate").Verdict);
        Assert.Equal(ClaimVerdict.Reproduced, c.Single(x => x.Optimizer == "sgd" && x.Rotation == "matrix").Verdict);
        Assert.Equal(ClaimVerdict.NotTestable, c.Single(x => x.Optimizer == "sgd" && x.Rotation == "coordinate").Verdict);
        Assert.Equal(0.2, c.Single(x => x.Optimizer == "adam" && x.Rotation == "matrix").MeanDifference, 1e-12);
    }

    [Fact]
    public void Claims_name_each_prediction_and_check_lambda_max_on_sgds_runs()
    {
        GeometryMeasure M(double lambda, double loss) => new(10, loss, 1, 1, 1, [1], [1], lambda, true);
        GeometryRun Run(string loss, double final, double lambda, double measureLoss = 1) => new("sgd", "sgd:lr=0.1", loss, 1, 0.1, true, [final], final, M(lambda, measureLoss));
        GeometryStudyReport Report(double matrixLambda, double matrixMeasureLoss = 1)
        {
            var runs = new[] { Run("original", 1.0, 2.0), Run("coordinate", 1.0, 2.001), Run("matrix", 1.0, matrixLambda, matrixMeasureLoss) };
            var grids = new[] { "original", "coordinate", "matrix" }.Select(l => new GeometryLearningRates("sgd", l, [0.05, 0.1, 0.2], [2, 1, 2], [0, 0, 0], 0.1, false, 0)).ToArray();
            var options = new GeometryStudyOptions { Network = new NetworkRotationOptions { Model = "mlp", Mlp = Tiny, Steps = 10, Checkpoints = [10], Optimizers = [("sgd", "sgd:lr=0.1")] } };
            return new GeometryStudyReport(options, 155, [], runs, grids, GeometryStudy.Compare(runs, grids), 1);
        }
        var claims = GeometryStudyClaims.Check(Report(2.0), "focuslab geometry-study --network mlp");
        Assert.Equal(["geometry-mlp-sgd-coordinate", "geometry-mlp-sgd-matrix", "geometry-mlp-lambda-max-invariant"], claims.Select(c => c.Id));
        Assert.All(claims, c => Assert.Equal(ClaimVerdict.Reproduced, c.Verdict));
        Assert.All(claims, c => c.Validate());
        // λmax 10% off at the same network: the invariant check fails.
        Assert.Equal(ClaimVerdict.NotReproduced, GeometryStudyClaims.Check(Report(2.2), "c").Single(c => c.Id.EndsWith("lambda-max-invariant")).Verdict);
        // A run that ended at another network (its measurement loss differs) is left out, and named.
        var apart = GeometryStudyClaims.Check(Report(2.2, matrixMeasureLoss: 1.01), "c").Single(c => c.Id.EndsWith("lambda-max-invariant"));
        Assert.Equal(ClaimVerdict.Reproduced, apart.Verdict);
        Assert.Contains("left out", apart.Numbers);
        Assert.Equal(1, apart.Seeds);
    }
}
