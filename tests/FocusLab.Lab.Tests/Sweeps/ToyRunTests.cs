using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>ToyRun (the recorder behind `focuslab valley`) reproduces the engine's replicate r at a one-pixel grid.</summary>
public class ToyRunTests
{
    [Theory]
    [InlineData("adam", 0.01)]
    [InlineData("signum", 0.003)]
    [InlineData("focus", 0.003)]
    public void MatchesTheEngineFinalMinAndMaxU(string id, double lr)
    {
        var opt = ToyOptimizer.Parse(id);
        var grid = new SweepGrid { XValues = [10], SigmaValues = [0.8], Optimizers = [opt], LearningRates = [lr], Replicates = 3, Steps = 150, Seed = 8 };
        var r = SweepEngine.Run(grid, new SweepOptions { Threads = 1 });
        var valley = new NarrowingValley2D(10, 0.1);
        for (uint rep = 0; rep < 3; rep++)
        {
            var path = ToyRun.Run(opt, valley, lr, 0.1, new GradientNoise(NoiseKind.Multiplicative, 0.8), 8, rep, 150);
            Assert.Equal(151, path.Loss.Length);
            long i = r.Index(0, 0, 0, 0, (int)rep);
            Assert.Equal(path.Loss[^1], r.FinalLoss[i], 2e-3 * Math.Abs(path.Loss[^1]) + 1e-6);
            Assert.Equal(path.Loss.Min(), r.MinLoss[i], 2e-3 * Math.Abs(path.Loss.Min()) + 1e-6);
            double maxU = path.X.Zip(path.Y).Max(p => valley.ToValley(p.First, p.Second).U);
            Assert.Equal(maxU, r.MaxU[i], 2e-3 * Math.Abs(maxU) + 1e-6);
        }
    }
}
