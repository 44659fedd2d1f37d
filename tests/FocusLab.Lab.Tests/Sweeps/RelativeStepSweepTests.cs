using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// Adafactor's default relative step in a phase sweep: its step size is each run's max(ε2, RMS(θ))·min(1e-2, 1/√t), so the
/// learning-rate axis does not change the run. Every lr column must be the same run bit for bit (a lane that read its lr would
/// differ), and the best-lr choice among identical columns is the first, whatever the thread count.
/// </summary>
public class RelativeStepSweepTests
{
    [Theory]
    [InlineData(ValleyKind.Valley2D, 2)]
    [InlineData(ValleyKind.ValleyND, 9)]
    public void Every_learning_rate_column_is_the_same_run_and_the_first_is_the_best(ValleyKind kind, int d)
    {
        var grid = new SweepGrid
        {
            Landscape = kind, Dimension = d, Angle = kind == ValleyKind.Valley2D ? Math.PI / 6 : null,
            XValues = [1, 10, 100], SigmaValues = [0, 1.5], FixedWeightDecay = 0.1, Optimizers = ToyOptimizer.ParseList("adafactor,adam"),
            LearningRates = SweepGrid.Logspace(-3, -1, 4), Replicates = 3, Steps = kind == ValleyKind.Valley2D ? 200 : 60, Seed = 17,
        };
        var one = SweepEngine.Run(grid, new SweepOptions { Threads = 1 });
        var two = SweepEngine.Run(grid, new SweepOptions { Threads = 2 });
        Assert.Equal(one.FinalLoss, two.FinalLoss);
        Assert.Equal(one.MinLoss, two.MinLoss);

        bool adamColumnsDiffer = false;
        for (int y = 0; y < grid.NY; y++)
            for (int x = 0; x < grid.NX; x++)
                for (int r = 0; r < grid.Replicates; r++)
                {
                    float first = one.FinalLoss[one.Index(0, 0, y, x, r)];
                    Assert.True(float.IsFinite(first));
                    for (int l = 1; l < grid.NLr; l++)
                    {
                        Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(one.FinalLoss[one.Index(0, l, y, x, r)]));
                        Assert.Equal(one.MinLoss[one.Index(0, 0, y, x, r)], one.MinLoss[one.Index(0, l, y, x, r)]);
                        adamColumnsDiffer |= one.FinalLoss[one.Index(1, l, y, x, r)] != one.FinalLoss[one.Index(1, 0, y, x, r)];
                    }
                }
        Assert.True(adamColumnsDiffer, "adam, in the same sweep, must still see the learning-rate axis");
        var scores = new PhaseScores(one);
        for (int y = 0; y < grid.NY; y++)
            for (int x = 0; x < grid.NX; x++) Assert.Equal(0, scores.BestLrIndex[(0 * grid.NY + y) * grid.NX + x]);
    }
}
