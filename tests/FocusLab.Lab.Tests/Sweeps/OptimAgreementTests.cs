using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// The sweep engine's toy optimizers agree step by step with FocusLab.Optim built by
/// OptimizerFactory from the toy specs of docs/equations.md#toy-optimizers (adamw / signum / focus decay=after,
/// decay_target=theta). The engine is run for T = 1, 2, …, K steps (its runs are prefixes of each
/// other: the noise is keyed by step) and its final θ compared with the Optim run after T steps.
/// </summary>
public class OptimAgreementTests
{
    [Theory]
    [InlineData("adam", 0.01, 0.5)]
    [InlineData("signum", 0.003, 1.0)]
    [InlineData("focus", 0.003, 1.0)]
    [InlineData("focus", 0.02, 0.0)]
    public void EngineMatchesOptimizerFactoryStepByStep(string id, double lr, double sigma)
    {
        const int K = 30, reps = 2; const double a = 10, wd = 0.1;
        var opt = ToyOptimizer.Parse(id);
        var grid = new SweepGrid
        {
            XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd, Optimizers = [opt],
            LearningRates = [lr], Replicates = reps, Steps = 1, Seed = 11, Angle = Math.PI / 6,
        };
        var engine = Enumerable.Range(1, K).Select(T => SweepEngine.Run(grid with { Steps = T },
            new SweepOptions { Threads = 1, RecordFinalParameters = true }).FinalParameters!).ToArray();

        var valley = new NarrowingValley2D(a, 0.1, Math.PI / 6);
        var rng = new CounterRng(11);
        for (uint r = 0; r < reps; r++)
        {
            rng.Normals(r, 0, out float z0, out float z1);
            var p = new Parameter("theta", [z0 * (float)1e-4, z1 * (float)1e-4]);
            var optimizer = OptimizerFactory.Create(opt.OptimSpec(lr, wd), [p]);
            var g = new double[2];
            for (int t = 1; t <= K; t++)
            {
                var th = p.DataSpan;
                valley.Gradient([th[0], th[1]], g);
                rng.Normals(r, (uint)t, out z0, out z1);
                p.GradSpan[0] = (float)(g[0] * (1 + sigma * z0));
                p.GradSpan[1] = (float)(g[1] * (1 + sigma * z1));
                optimizer.Step();
                for (int i = 0; i < 2; i++)
                {
                    float want = p.DataSpan[i], got = engine[t - 1][r * 2 + i];
                    Assert.True(Math.Abs(want - got) <= 1e-4 * Math.Abs(want) + 1e-9,
                        $"{id} replicate {r} step {t} θ[{i}]: FocusLab.Optim {want}, engine {got}");
                }
            }
        }
    }
}
