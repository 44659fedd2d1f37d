using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// The sweep engine's toy optimizers agree step by step with FocusLab.Optim built by
/// OptimizerFactory from the same spec (the paper's three with their toy settings of
/// docs/equations.md#toy-optimizers: adamw / signum / focus decay=after, decay_target=theta; any other
/// per-coordinate rule as given; muon on θ as a [1, d] matrix, adafactor with its relative step, which ignores lr). The engine is run for T = 1, 2, …, K steps (its runs are prefixes of each
/// other: the noise is keyed by step) and its final θ compared with the Optim run after T steps.
/// </summary>
public class OptimAgreementTests
{
    /// <summary>Group-reducing rules and top-k clipping in 2-D (spec, lr, σ): checked step by step here and bit for bit by <see cref="OptimBitIdentity2DTests"/>.</summary>
    public static TheoryData<string, double, double> GroupStatisticsAndClipping2D => new()
    {
        { "normalized_sgd", 0.003, 1.0 },
        { "normalized_sgd:momentum=0.5,dampening=0.3", 0.01, 0.5 },
        { "adasgd", 0.01, 0.5 },
        { "blockwise_adam:beta2=0.99", 0.003, 1.0 },
        { "adam_mini", 0.01, 0.5 },
        { "sgd_clip:clip_fraction=0.5", 0.01, 0.5 },
        { "normalized_sgd:clip_fraction=0.6", 0.003, 1.0 },
        { "signum", 0.003, 1.0 },
        { "adam", 0.01, 0.5 },
        { "adafactor:relative_step=false", 0.01, 0.5 },
        { "adafactor:relative_step=false,beta1=0.9,clip_threshold=0.5", 0.003, 1.0 },
        { "adafactor", 0.01, 0.5 },
        { "adafactor:clip_fraction=0.5", 0.01, 0.5 },
        { "adafactor:beta1=0.9,clip_threshold=0.5", 0.003, 1.0 },
        { "muon", 0.003, 1.0 },
        { "adam:clip_fraction=0.5", 0.01, 0.5 },
        { "adam_clip", 0.01, 0.5 },
        { "adasgd:clip_fraction=0.5", 0.01, 0.5 },
        { "blockwise_adam:clip_fraction=0.5", 0.003, 1.0 },
        { "adam_mini:clip_fraction=0.5", 0.01, 0.5 },
        { "adafactor:relative_step=false,clip_fraction=0.5", 0.01, 0.5 },
    };

    [Theory]
    [MemberData(nameof(GroupStatisticsAndClipping2D))]
    [InlineData("focus", 0.003, 1.0)]
    [InlineData("focus", 0.02, 0.0)]
    [InlineData("focus:gamma=0.4", 0.003, 1.0)]
    [InlineData("focus:decay=before,decay_target=theta_hat,beta2=0.99", 0.003, 0.5)]
    [InlineData("s3", 0.003, 1.0)]
    [InlineData("s3:p=2,nesterov=false", 0.003, 0.5)]
    [InlineData("lion", 0.003, 1.0)]
    [InlineData("adamw", 0.01, 0.5)]
    [InlineData("sgd:momentum=0.9,nesterov=true", 0.01, 0.5)]
    [InlineData("nadam", 0.01, 0.5)]
    [InlineData("rmsprop:centered=true,momentum=0.5", 0.003, 0.5)]
    [InlineData("adan", 0.01, 0.5)]
    [InlineData("sophia", 0.003, 0.5)]
    [InlineData("schedulefree_adamw:warmup_steps=5", 0.01, 0.5)]
    [InlineData("signum:clip_fraction=0.5", 0.003, 1.0)]
    [InlineData("adam:clip_fraction=0", 0.01, 0.5)]
    [InlineData("muon:nesterov=false", 0.01, 0.5)]
    [InlineData("muon:adjust_lr=match_rms_adamw,momentum=0.9", 0.003, 0.5)]
    [InlineData("muon:ns_steps=2", 0.01, 0.5)]
    [InlineData("adam:clip_fraction=0.1", 0.01, 0.5)]
    [InlineData("adamw:clip_fraction=0.5", 0.003, 1.0)]
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
            var optimizer = LibraryOptimizer.Create(opt, lr, wd, p);
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

/// <summary>
/// Bit for bit in 2-D: fed the engine's own float32 gradient (the valley's u, v and noise with the engine's fused
/// multiply-adds, written out here in scalar), FocusLab.Optim's rules reproduce the engine's θ exactly, group-reducing
/// rules included (‖m‖², mean g² or muon's ‖B̃‖² of two coordinates is q_x + q_y in both; the reduction's float arithmetic,
/// muon's scalar Newton–Schulz iteration included, is the same rule code; adafactor's relative step sums θ² in double in
/// coordinate order in both, then the rule's one α formula) and top-k clipping (the same threshold, the same clamp), of the gradient or of an adaptive optimizer's first moment
/// (adam_clip's τ from g + wd θ with coupled L2, wd = 0.1 here: τ from g alone would change θ's bits). A different summation, a per-lane statistic that
/// mixed lanes or a coefficient computed in double would change the last bits within a few steps.
/// </summary>
public class OptimBitIdentity2DTests
{
    [Theory]
    [MemberData(nameof(OptimAgreementTests.GroupStatisticsAndClipping2D), MemberType = typeof(OptimAgreementTests))]
    [InlineData("muon:nesterov=false,adjust_lr=match_rms_adamw", 0.01, 0.5)]
    [InlineData("adam_clip:beta2=0.99", 0.003, 1.0)]
    [InlineData("adamw:clip_fraction=0.5", 0.01, 0.5)]
    [InlineData("adafactor:relative_step=false,beta1=0.9,clip_fraction=0.5", 0.003, 1.0)]
    public void EngineEqualsTheLibraryBitForBitOnTheEnginesGradient(string id, double lr, double sigma)
    {
        const int K = 40, reps = 2; const double a = 10, c = 0.1, wd = 0.1, angle = Math.PI / 6;
        var opt = ToyOptimizer.Parse(id);
        var grid = new SweepGrid
        {
            XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd, C = c, Optimizers = [opt],
            LearningRates = [lr], Replicates = reps, Steps = K, Seed = 11, Angle = angle,
        };
        var engine = SweepEngine.Run(grid, new SweepOptions { Threads = 1, RecordFinalParameters = true }).FinalParameters!;

        float cs = (float)Math.Cos(angle), sn = (float)Math.Sin(angle), fa = (float)a, negC = -(float)c, fs = (float)sigma, initStd = (float)grid.InitStd;
        var rng = new CounterRng(11);
        for (uint r = 0; r < reps; r++)
        {
            rng.Normals(r, 0, out float z0, out float z1);
            var p = new Parameter("theta", [z0 * initStd, z1 * initStd]);
            var optimizer = LibraryOptimizer.Create(opt, lr, wd, p);
            for (int t = 1; t <= K; t++)
            {
                // SweepEngine.Step2D's gradient, operation for operation.
                float x = p.DataSpan[0], y = p.DataSpan[1];
                float u = MathF.FusedMultiplyAdd(cs, x, sn * y), v = MathF.FusedMultiplyAdd(cs, y, -sn * x);
                float uv = u * v, auv = fa * uv;
                float gu = MathF.FusedMultiplyAdd(auv, v, negC), gv = auv * u;
                rng.Normals(r, (uint)t, out z0, out z1);
                p.GradSpan[0] = MathF.FusedMultiplyAdd(cs, gu, -sn * gv) * MathF.FusedMultiplyAdd(fs, z0, 1);
                p.GradSpan[1] = MathF.FusedMultiplyAdd(sn, gu, cs * gv) * MathF.FusedMultiplyAdd(fs, z1, 1);
                optimizer.Step();
            }
            for (int i = 0; i < 2; i++)
                Assert.True(BitConverter.SingleToInt32Bits(p.DataSpan[i]) == BitConverter.SingleToInt32Bits(engine[r * 2 + i]),
                    $"{id} replicate {r} θ[{i}] after {K} steps: FocusLab.Optim {p.DataSpan[i]:R}, engine {engine[r * 2 + i]:R}");
        }
    }

    /// <summary>
    /// The same on the 7-dimensional valley. A run's 7 coordinates fit in one of the library's vectors (8 or 16 lanes), whose
    /// zero-padded lanes it sums in lane order: the engine's coordinate-order sum, so the group statistics agree bit for bit
    /// here too (with more coordinates than lanes the two orders differ, see <see cref="OptimAgreementNDTests"/>).
    /// </summary>
    [Theory]
    [InlineData("normalized_sgd", 0.003)]
    [InlineData("adasgd", 0.01)]
    [InlineData("adam_mini", 0.01)]
    [InlineData("signum:clip_fraction=0.3", 0.003)]
    [InlineData("normalized_sgd:clip_fraction=0.2", 0.003)]
    [InlineData("adafactor:relative_step=false,beta1=0.9", 0.01)]
    [InlineData("adam", 0.01)]
    [InlineData("adafactor", 0.01)]
    [InlineData("adafactor:clip_fraction=0.3", 0.01)]
    [InlineData("muon", 0.003)]
    [InlineData("muon:adjust_lr=match_rms_adamw,nesterov=false", 0.003)]
    [InlineData("adam:clip_fraction=0.1", 0.01)]
    [InlineData("adam:clip_fraction=0.3", 0.01)]
    [InlineData("adam_clip", 0.01)]
    [InlineData("adam_clip:clip_fraction=0.3", 0.003)]
    [InlineData("adamw:clip_fraction=0.45", 0.01)]
    [InlineData("adasgd:clip_fraction=0.3", 0.01)]
    [InlineData("blockwise_adam:clip_fraction=0.3", 0.003)]
    [InlineData("adam_mini:clip_fraction=0.6", 0.01)]
    [InlineData("adafactor:relative_step=false,clip_fraction=0.3", 0.01)]
    public void EngineEqualsTheLibraryBitForBitOnTheNDimensionalValley(string id, double lr)
    {
        const int K = 30, reps = 2, d = 7, pairs = (d + 1) / 2; const double a = 5, c = 0.1, wd = 0.1, sigma = 0.7;
        var opt = ToyOptimizer.Parse(id);
        var grid = new SweepGrid
        {
            Landscape = ValleyKind.ValleyND, Dimension = d, Angle = null, XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd, C = c,
            Optimizers = [opt], LearningRates = [lr], Replicates = reps, Steps = K, Seed = 5,
        };
        var engine = SweepEngine.Run(grid, new SweepOptions { Threads = 1, RecordFinalParameters = true }).FinalParameters!;

        var q = grid.ValleyAxis().Select(v => (float)v).ToArray();
        float fa = (float)a, fc = (float)c, fs = (float)sigma, initStd = (float)grid.InitStd;
        var rng = new CounterRng(5);
        var z = new float[2 * pairs];
        for (uint r = 0; r < reps; r++)
        {
            for (int k = 0; k < pairs; k++) rng.Normals(r, (uint)k, out z[2 * k], out z[2 * k + 1]);
            var p = new Parameter("theta", z.Take(d).Select(v => v * initStd).ToArray());
            var optimizer = LibraryOptimizer.Create(opt, lr, wd, p);
            for (int t = 1; t <= K; t++)
            {
                // SweepEngine.AxisAndCross and CoordinateGradient, operation for operation: u and ‖w‖² in two interleaved chains.
                var th = p.DataSpan;
                float u0 = 0, u1 = 0, w0 = 0, w1 = 0;
                for (int i = 0; i < d; i++)
                    if (i % 2 == 0) u0 = MathF.FusedMultiplyAdd(q[i], th[i], u0); else u1 = MathF.FusedMultiplyAdd(q[i], th[i], u1);
                float u = u0 + u1;
                for (int i = 0; i < d; i++)
                {
                    float wi = MathF.FusedMultiplyAdd(-u, q[i], th[i]);
                    if (i % 2 == 0) w0 = MathF.FusedMultiplyAdd(wi, wi, w0); else w1 = MathF.FusedMultiplyAdd(wi, wi, w1);
                }
                float w2 = w0 + w1, alpha = MathF.FusedMultiplyAdd(fa * u, w2, -fc), beta = fa * u * u;
                for (int k = 0; k < pairs; k++) rng.Normals(r, (uint)(t * pairs + k), out z[2 * k], out z[2 * k + 1]);
                for (int i = 0; i < d; i++)
                    p.GradSpan[i] = MathF.FusedMultiplyAdd(alpha, q[i], beta * MathF.FusedMultiplyAdd(-u, q[i], th[i])) * MathF.FusedMultiplyAdd(fs, z[i], 1);
                optimizer.Step();
            }
            for (int i = 0; i < d; i++)
                Assert.True(BitConverter.SingleToInt32Bits(p.DataSpan[i]) == BitConverter.SingleToInt32Bits(engine[r * d + i]),
                    $"{id} replicate {r} θ[{i}] after {K} steps: FocusLab.Optim {p.DataSpan[i]:R}, engine {engine[r * d + i]:R}");
        }
    }
}

/// <summary>
/// The same on the n-dimensional valley (d = 7: one full 8-lane vector minus one, so the library's tail padding is in play),
/// top-k clipping included (its τ = the ⌊k·7⌋-th largest |g| of each run: ranks 2 and 3 here; of the gradient the moments see for
/// the adaptive ones, whose first moment alone is clipped).
/// A group-reducing rule's total over the run is summed in coordinate order by the engine and lane-wise by the library's
/// vectors, so the two may differ in the last bit of ‖m‖² or mean g² (the 2-D runs sum q_x + q_y in both); with the valley's
/// gradient computed in double here and in float by the engine, a relative 1e-4 over 30 steps holds for every rule.
/// </summary>
public class OptimAgreementNDTests
{
    [Theory]
    [InlineData("adam", 0.01)]
    [InlineData("normalized_sgd", 0.003)]
    [InlineData("adasgd", 0.01)]
    [InlineData("adam_mini", 0.01)]
    [InlineData("signum:clip_fraction=0.3", 0.003)]
    [InlineData("sgd_clip:clip_fraction=0.45", 0.01)]
    [InlineData("normalized_sgd:clip_fraction=0.2", 0.003)]
    [InlineData("adafactor", 0.01)]
    [InlineData("adafactor:clip_fraction=0.3", 0.01)]
    [InlineData("muon", 0.003)]
    [InlineData("muon:nesterov=false,adjust_lr=match_rms_adamw", 0.003)]
    [InlineData("adam:clip_fraction=0.3", 0.01)]
    [InlineData("adam_clip", 0.01)]
    [InlineData("adam_mini:clip_fraction=0.3", 0.01)]
    [InlineData("adafactor:relative_step=false,beta1=0.9,clip_fraction=0.3", 0.01)]
    public void EngineMatchesOptimizerFactoryOnTheNDimensionalValley(string id, double lr)
    {
        const int K = 30, reps = 2, d = 7, pairs = (d + 1) / 2; const double a = 5, wd = 0.1, sigma = 0.7;
        var opt = ToyOptimizer.Parse(id);
        var grid = new SweepGrid
        {
            Landscape = ValleyKind.ValleyND, Dimension = d, Angle = null, XValues = [a], SigmaValues = [sigma], FixedWeightDecay = wd,
            Optimizers = [opt], LearningRates = [lr], Replicates = reps, Steps = 1, Seed = 5,
        };
        var engine = Enumerable.Range(1, K).Select(T => SweepEngine.Run(grid with { Steps = T },
            new SweepOptions { Threads = 1, RecordFinalParameters = true }).FinalParameters!).ToArray();

        var valley = grid.BuildValleyND(a);
        var rng = new CounterRng(5);
        var z = new float[2 * pairs];
        void Draw(uint r, long t)
        {
            for (int p = 0; p < pairs; p++) rng.Normals(r, (uint)(t * pairs + p), out z[2 * p], out z[2 * p + 1]);
        }
        for (uint r = 0; r < reps; r++)
        {
            Draw(r, 0);
            var p = new Parameter("theta", z.Take(d).Select(v => v * (float)grid.InitStd).ToArray());
            var optimizer = LibraryOptimizer.Create(opt, lr, wd, p);
            var g = new double[d];
            for (int t = 1; t <= K; t++)
            {
                valley.Gradient(p.DataSpan.ToArray().Select(v => (double)v).ToArray(), g);
                Draw(r, t);
                for (int i = 0; i < d; i++) p.GradSpan[i] = (float)(g[i] * (1 + sigma * z[i]));
                optimizer.Step();
                for (int i = 0; i < d; i++)
                {
                    float want = p.DataSpan[i], got = engine[t - 1][r * d + i];
                    Assert.True(Math.Abs(want - got) <= 1e-4 * Math.Abs(want) + 1e-9,
                        $"{id} replicate {r} step {t} θ[{i}]: FocusLab.Optim {want}, engine {got}");
                }
            }
        }
    }
}

/// <summary>What the sweep accepts as an optimizer: factory specs of per-coordinate rules, with one-line errors otherwise.</summary>
public class ToyOptimizerSpecTests
{
    [Fact]
    public void The_papers_three_carry_the_toy_settings_and_overrides_apply()
    {
        Assert.Equal("adamw", ToyOptimizer.Adam.OptimizerId);
        Assert.Equal(0.9, ToyOptimizer.Focus.Get("beta2"));
        Assert.Equal(0.2, ToyOptimizer.Focus.Get("gamma"), 12);
        var g4 = ToyOptimizer.Parse("focus:gamma=0.4");
        Assert.Equal("focus:gamma=0.4", g4.Id);
        Assert.Equal(0.4, g4.Get("gamma"), 12);
        Assert.Equal(0.9, g4.Get("beta2"));
        Assert.Equal(0.95, ToyOptimizer.Parse("s3").Get("beta1"), 12);
    }

    [Fact]
    public void Muon_and_adafactor_run_and_only_the_relative_step_ignores_the_learning_rate()
    {
        var list = ToyOptimizer.ParseList("muon,muon:nesterov=false,muon:adjust_lr=match_rms_adamw,adafactor,adafactor:relative_step=false,adam");
        Assert.Equal([false, false, false, true, false, false], list.Select(o => o.IgnoresLearningRate));
        // The toy run's θ is one 1×d matrix of muon, sharing the caller's buffers.
        var p = new Parameter("theta", [1f, 2f, 3f]);
        var muon = (Muon)list[0].Create(0.01, 0, p);
        Assert.Equal([1, 3], muon.Parameters[0].Shape);
        Assert.True(muon.IsRankOneRule);
        p.GradSpan.Fill(1);
        muon.Step();
        Assert.NotEqual(1f, p.DataSpan[0]);
    }

    [Fact]
    public void A_list_splits_on_commas_and_a_bare_setting_continues_the_previous_spec()
    {
        var list = ToyOptimizer.ParseList("adam,signum,focus:gamma=0.4,beta2=0.99,s3,lion");
        Assert.Equal(["adam", "signum", "focus:gamma=0.4,beta2=0.99", "s3", "lion"], list.Select(o => o.Id));
        Assert.Equal(0.99, list[2].Get("beta2"), 12);
    }

    [Fact]
    public void Every_factory_id_runs_in_the_sweep_engine()
    {
        foreach (var id in OptimizerFactory.Ids) Assert.Equal(id, ToyOptimizer.Parse(id).Id);
    }

    [Theory]
    [InlineData("muon:aux=adamw:lr=3e-4", "aux= would step nothing")]
    [InlineData("normalized_sgd:cautious=true", "cautious")]
    [InlineData("focus:lr=0.1", "remove lr=")]
    [InlineData("signum:weight_decay=0.1", "remove weight_decay=")]
    [InlineData("focus:gamma=-1", "gamma")]
    [InlineData("nosuch", "Unknown optimizer")]
    public void Unsupported_specs_are_refused_in_one_line_naming_the_problem(string spec, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ToyOptimizer.Parse(spec));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
