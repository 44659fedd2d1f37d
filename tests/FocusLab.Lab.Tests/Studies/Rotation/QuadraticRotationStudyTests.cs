using System.Text.Json;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;
using FocusLab.Lab.Studies.Rotation;

namespace FocusLab.Lab.Tests.Studies.Rotation;

public class QuadraticRotationStudyTests
{
    private static readonly QuadraticRotationOptions Small = new()
    {
        Dimension = 20,
        Scales = [0, 0.3],
        IncludeRandom = true,
        LearningRates = [0.01, 0.1, 1],
        Steps = 60,
        Seeds = [0, 1],
        EstimatorSamples = 400,
        Threads = 2,
    };

    [Fact]
    public void Geometry_and_runs_match_independent_computations()
    {
        var report = QuadraticRotationStudy.Run(Small);
        Assert.Equal(3, report.Rows.Length);
        var lambda = report.Eigenvalues;
        Assert.Equal(1, lambda[0], 15);
        Assert.Equal(1e-3, lambda[^1], 15);
        // s = 0: H = Λ, so ‖H‖₁,₁/d = Σλ/d exactly.
        Assert.Equal(lambda.Sum() / 20, report.Rows[0].L11PerDimension, 12);
        foreach (var row in report.Rows)
        {
            Assert.InRange(row.L11IqrEstimatePerDimension / row.L11PerDimension, 0.85, 1.15);
            Assert.Equal(1, row.SpectralNormLanczos, 1e-6); // rotation keeps the spectrum
            Assert.True(row.LanczosConverged);
        }
        Assert.True(report.Rows[2].L11PerDimension > 2 * report.Rows[0].L11PerDimension);

        // sgd is rotation-equivariant: the same best lr and the same final loss for every rotation.
        int sgd = Array.IndexOf(Small.Optimizers, "sgd");
        var sgdLosses = report.Rows.Select(r => r.Outcomes[sgd].FinalLoss).ToArray();
        Assert.All(report.Rows, r => Assert.Equal(report.Rows[0].Outcomes[sgd].BestLearningRate, r.Outcomes[sgd].BestLearningRate));
        Assert.All(sgdLosses, l => Assert.Equal(sgdLosses[0], l, 1e-4 * sgdLosses[0]));

        // The reported adam loss at s = 0 is the mean over seeds of an independent run at the chosen lr.
        int adam = Array.IndexOf(Small.Optimizers, "adam");
        var outcome = report.Rows[0].Outcomes[adam];
        double mean = 0;
        foreach (int seed in Small.Seeds)
        {
            var q = QuadraticObjective.Diagonal(lambda);
            var y0 = SliceDirections.Gaussian(20, 3_000_003 + seed);
            mean += ObjectiveTraining.Run(q, y0, $"adam:lr={outcome.BestLearningRate:R}", Small.Steps).FinalLoss / Small.Seeds.Length;
        }
        Assert.Equal(mean, outcome.FinalLoss, 1e-6 * mean);
        Assert.Equal(outcome.MeanFinalLossPerLearningRate.Min(), outcome.FinalLoss);

        // Same settings, same numbers, whatever the thread count.
        var serial = QuadraticRotationStudy.Run(Small with { Threads = 1 });
        Assert.Equal(report.Rows.Select(r => r.Outcomes[adam].FinalLoss), serial.Rows.Select(r => r.Outcomes[adam].FinalLoss));
    }

    [Fact]
    public void Writes_parseable_json_csv_svg_and_html()
    {
        var report = QuadraticRotationStudy.Run(Small with { Steps = 10, Seeds = [0] });
        string dir = Path.Combine(Path.GetTempPath(), "focuslab-rotation-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = QuadraticRotationOutput.Write(report, dir);
            Assert.All(files, f => Assert.True(File.Exists(f)));
            using var doc = JsonDocument.Parse(File.ReadAllText(files[0]));
            Assert.Equal(3, doc.RootElement.GetProperty("rows").GetArrayLength());
            Assert.True(doc.RootElement.GetProperty("claims").GetArrayLength() >= 3);
            var csv = File.ReadAllLines(files[1]);
            Assert.Equal(4, csv.Length);
            Assert.Equal(csv[0].Split(',').Length, csv[1].Split(',').Length);
            Assert.StartsWith("<svg", File.ReadAllText(files[2]));
            Assert.Contains("<svg", File.ReadAllText(files[3]));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Invalid_settings_are_refused_before_any_work()
    {
        Assert.Contains("lr", Assert.Throws<ArgumentException>(() => QuadraticRotationStudy.Run(Small with { Optimizers = ["adam:lr=0.1"] })).Message);
        Assert.Throws<ArgumentException>(() => QuadraticRotationStudy.Run(Small with { Optimizers = ["nosuch"] }));
        Assert.Contains("--dim", Assert.Throws<ArgumentException>(() => QuadraticRotationStudy.Run(Small with { Dimension = 1 })).Message);
        Assert.Contains("--steps", Assert.Throws<ArgumentException>(() => QuadraticRotationStudy.Run(Small with { Steps = 0 })).Message);
        Assert.Throws<ArgumentException>(() => QuadraticRotationStudy.Run(Small with { MinEigenvalue = 2 }));
    }

    [Fact]
    public void Kendall_tau_of_monotone_and_reversed_sequences()
    {
        Assert.Equal(1, QuadraticRotationStudy.KendallTau([1, 2, 3, 4], [10, 20, 30, 40]));
        Assert.Equal(-1, QuadraticRotationStudy.KendallTau([1, 2, 3, 4], [4, 3, 2, 1]));
        Assert.Equal(4.0 / 6, QuadraticRotationStudy.KendallTau([1, 2, 3, 4], [1, 3, 2, 4]), 15);
    }
}
