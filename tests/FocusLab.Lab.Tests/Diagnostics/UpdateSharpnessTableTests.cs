using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class UpdateSharpnessTableTests
{
    [Fact]
    public void One_sharp_coordinate_gives_the_closed_form_sharpness_of_each_direction()
    {
        // Pan & Li's quadratic: A = diag(100, 1, …, 1), d = 10, at x = 1: g = (100, 1, …, 1).
        int d = 10;
        var q = QuadraticObjective.Diagonal([100, .. Enumerable.Repeat(1.0, d - 1)]);
        var x = Enumerable.Repeat(1.0, d).ToArray();
        var g = new double[d];
        q.Gradient(x, g);
        var rows = UpdateSharpnessTable.Measure(q, q, x, [g], ["sgd:lr=0.01", "sgd_clip:lr=0.01", "adam:lr=0.01"], "sgd:lr=0.01");
        // sgd: u ∝ g → (100·100² + 9)/(100² + 9).
        double sgd = (100 * 100 * 100 + 9.0) / (100 * 100 + 9);
        Assert.Equal(sgd, rows[0].Sharpness.Sharpness, 1e-4);
        // sgd_clip (k = 0.1): τ = 2nd largest |g| = 1, ĝ = (1, …, 1) → (100 + 9)/10.
        Assert.Equal(10.9, rows[1].Sharpness.Sharpness, 1e-4);
        // adam's first step is g/(|g| + ε) ≈ sign(g) → also 10.9.
        Assert.Equal(10.9, rows[2].Sharpness.Sharpness, 1e-4);
        Assert.Equal(1, rows[0].RatioToReference);
        Assert.Equal(10.9 / sgd, rows[2].RatioToReference, 1e-5);
        Assert.All(rows, r => Assert.True(r.LineSearch.BestReduction > 0 && r.LineSearch.FoundDescent && !r.LineSearch.Capped));
        // Each search starts at its own direction's quadratic-model minimiser, exact on a quadratic: the bracket holds it
        // and the refined minimum is that step.
        Assert.All(rows, r =>
        {
            double t = -r.Sharpness.GradientCorrelation / r.Sharpness.Sharpness;
            Assert.Equal(t, r.LineSearch.InitialStep, 1e-9 * t);
            Assert.Equal(t, r.LineSearch.BestStep, 1e-3 * t);
        });
        Assert.All(rows, r => Assert.True(r.Sharpness.GradientCorrelation < 0)); // every update points downhill
    }

    [Fact]
    public void Reference_must_be_measured()
    {
        var q = QuadraticObjective.Diagonal([1, 2]);
        Assert.Contains("reference", Assert.Throws<ArgumentException>(() => UpdateSharpnessTable.Measure(q, q, [1, 1], [[1, 2]], ["adam:lr=0.1"], "sgd:lr=0.1")).Message);
    }
}
