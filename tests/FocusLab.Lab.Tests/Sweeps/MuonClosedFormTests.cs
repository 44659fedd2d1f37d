using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;
using FocusLab.Tests.Shared;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// Muon in the sweep engine (a toy run's θ as one 1×d matrix) against an independent float64 loop written from docs/equations.md#muon,
/// without the library's code: for a 1×d matrix X the Gram matrix X Xᵀ is the scalar s = ‖X‖², so each quintic Newton–Schulz step
/// X ← aX + (bA + cA²)X is the vector X times a + b s + c s², iterated here on the vector itself in double. The landscapes' double
/// gradients and the engine's counter-based noise draws; the engine's float32 agrees with the float64 loop to 1e-4 relative.
/// </summary>
public class MuonClosedFormTests
{
    [Theory]
    [InlineData("muon", 2, 0.003)]
    [InlineData("muon:nesterov=false", 2, 0.01)]
    [InlineData("muon:adjust_lr=match_rms_adamw,momentum=0.9,ns_steps=3", 2, 0.003)]
    [InlineData("muon:ns_steps=0", 2, 0.003)]
    [InlineData("muon", 7, 0.003)]
    [InlineData("muon:adjust_lr=match_rms_adamw,nesterov=false", 12, 0.002)]
    public void EngineFollowsTheFloat64NewtonSchulzPolynomialOnAVector(string spec, int d, double lr)
    {
        const int K = 30, reps = 3; const double a = 5, c = 0.1, wd = 0.1, sigma = 0.7;
        var opt = ToyOptimizer.Parse(spec);
        var grid = new SweepGrid
        {
            Landscape = d == 2 ? ValleyKind.Valley2D : ValleyKind.ValleyND, Dimension = d, Angle = d == 2 ? Math.PI / 6 : null,
            XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd, C = c, Optimizers = [opt], LearningRates = [lr],
            Replicates = reps, Steps = K, Seed = 3,
        };
        var result = SweepEngine.Run(grid, new SweepOptions { Threads = 1, RecordFinalParameters = true });
        ILandscape f = d == 2 ? new NarrowingValley2D(a, c, Math.PI / 6) : grid.BuildValleyND(a);

        double mu = opt.Get("momentum"), ea = opt.Get("ns_a"), eb = opt.Get("ns_b"), ec = opt.Get("ns_c"), eps = opt.Get("eps");
        int nsSteps = (int)opt.Get("ns_steps");
        bool nesterov = opt.Get("nesterov") != 0, matchRms = opt.Get("adjust_lr") == 1;
        double adjusted = matchRms ? 0.2 * lr * Math.Sqrt(d) : lr * Math.Sqrt(Math.Max(1.0, 1.0 / d)); // η√max(1, rows/cols) = η for 1×d
        int pairs = (d + 1) / 2;
        var rng = new CounterRng(3);
        double[] Draw(uint key, uint counterBase)
        {
            var z = new double[2 * pairs];
            for (int p = 0; p < pairs; p++) { rng.Normals(key, counterBase + (uint)p, out float z0, out float z1); z[2 * p] = z0; z[2 * p + 1] = z1; }
            return z;
        }
        for (uint r = 0; r < reps; r++)
        {
            var theta = Draw(r, 0).Take(d).Select(v => v * grid.InitStd).ToArray();
            var muon = new RankOneMuonReference(d, lr, wd, adjusted, mu, nesterov, ea, eb, ec, nsSteps, eps);
            var g = new double[d];
            for (int t = 1; t <= K; t++)
            {
                f.Gradient(theta, g);
                new GradientNoise(NoiseKind.Multiplicative, sigma).Apply(g, Draw(r, (uint)(t * pairs)));
                muon.Step(theta, g);
            }
            long run = result.Index(0, 0, 0, 0, (int)r);
            for (int i = 0; i < d; i++)
            {
                double want = theta[i], got = result.FinalParameters![run * d + i];
                Assert.True(Math.Abs(want - got) <= 1e-4 * Math.Abs(want) + 1e-8, $"{spec} d={d} replicate {r} θ[{i}] after {K} steps: float64 {want}, engine {got}");
            }
        }
    }
}
