using FsCheck.Xunit;

namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// Bounds on the per-coordinate step |Δθ|/η, read from <see cref="Optimizer.LastUpdateStatistics"/>:
/// <list type="bullet">
/// <item>S3 with one shared β never exceeds 1 (S3 paper, Theorem 2: |m| ≤ s^(1/p) by the power-mean inequality, since the EMA weights sum to 1 − β^t ≤ 1).</item>
/// <item>Adam's |m̂|/√v̂ ≤ (1−β1)/(√(1−β2)·√(1−β1²/β2)) (docs/equations.md#update-statistics; Cauchy-Schwarz
/// on the EMA sums; the bias
/// corrections only lower it because (1−β2^t)(1−(β1²/β2)^t) ≤ (1−β1^t)²). The bound is attained by gradients
/// growing like (β2/β1)^t after the bias corrections have died out; a test checks it is nearly reached.</item>
/// </list>
/// </summary>
public sealed class UpdateBoundProperties
{
    /// <summary>Adversarial per-coordinate sequences: random signs over 9 decades, long tiny stretches then a huge spike, sign flips, and geometric growth.</summary>
    private static float[][] AdversarialGradients(TestRandom rng, int n, int steps, double growth)
    {
        var kind = Enumerable.Range(0, n).Select(i => i % 5).ToArray();
        var spikeAt = Enumerable.Range(0, n).Select(_ => rng.Int(1, steps)).ToArray();
        var g = new float[steps][];
        for (int t = 0; t < steps; t++)
        {
            g[t] = new float[n];
            for (int i = 0; i < n; i++)
            {
                double x = kind[i] switch
                {
                    0 => rng.LogUniform(-6, 3) * rng.Pick(-1, 1),                                  // wild magnitudes and signs
                    1 => t < spikeAt[i] ? 1e-6 * rng.Pick(-1, 1) : t == spikeAt[i] ? 1e3 : 1e-6, // tiny, one huge, tiny
                    2 => Math.Pow(growth, Math.Min(t, 150)) * 1e-4,                                 // geometric growth (worst case for adam)
                    3 => (t % 2 == 0 ? 1 : -1) * rng.LogUniform(-2, 2),                           // alternating signs
                    _ => rng.Chance(0.3) ? 0 : rng.Normal(),
                };
                g[t][i] = (float)x;
            }
        }
        return g;
    }

    private static double MaxRatioOverRun(Optimizer opt, Parameter p, float[][] grads, out double maxTheta)
    {
        opt.TrackUpdateStatistics = true;
        double max = 0;
        maxTheta = 0;
        foreach (var g in grads)
        {
            g.CopyTo(p.GradSpan);
            opt.Step();
            max = Math.Max(max, opt.LastUpdateStatistics.Max);
            foreach (var x in p.DataSpan) maxTheta = Math.Max(maxTheta, Math.Abs(x));
        }
        return max;
    }

    [Property(MaxTest = 40)]
    public void S3_with_one_shared_beta_never_moves_a_coordinate_by_more_than_lr(int seed)
    {
        var rng = new TestRandom(seed);
        double beta = rng.Pick(0.0, 0.5, 0.9, 0.95, 0.99), p = rng.Pick(1.0, 1.5, 2.0, 3.0, 4.0);
        string nesterov = rng.Pick("true", "false");
        var x = new Parameter("x", rng.NormalArray(40, 0.1));
        var opt = OptimizerFactory.Create($"s3:lr=1e-2,beta1={beta:R},beta2={beta:R},p={p:R},nesterov={nesterov},weight_decay=0", [x]);
        double max = MaxRatioOverRun(opt, x, AdversarialGradients(rng, 40, 60, 1.1), out _);
        Assert.True(max <= 1 + 1e-3, $"β = {beta}, p = {p}, nesterov = {nesterov}: max |Δθ|/η = {max:R}");
    }

    /// <summary>The S3 check is not vacuous: with β1 ≫ β2 a spike followed by tiny gradients exceeds η.</summary>
    [Fact]
    public void S3_with_unequal_betas_can_exceed_lr()
    {
        var x = new Parameter("x", new float[8]);
        var opt = OptimizerFactory.Create("s3:lr=1e-2,beta1=0.99,beta2=0.5,p=2,nesterov=false,weight_decay=0", [x]);
        var grads = Enumerable.Range(0, 30).Select(t => Enumerable.Repeat(t == 0 ? 1000f : 1e-3f, 8).ToArray()).ToArray();
        double max = MaxRatioOverRun(opt, x, grads, out _);
        Assert.True(max > 2, $"max |Δθ|/η = {max}");
    }

    private static double AdamBound(double b1, double b2) => (1 - b1) / (Math.Sqrt(1 - b2) * Math.Sqrt(1 - b1 * b1 / b2));

    [Fact]
    public void Adam_bound_is_about_7_27_at_default_betas() => Assert.Equal(7.27, AdamBound(0.9, 0.999), 2);

    [Property(MaxTest = 30)]
    public void Adam_update_never_exceeds_its_bound(int seed)
    {
        var rng = new TestRandom(seed);
        double b1 = rng.Pick(0.0, 0.5, 0.8, 0.9, 0.95), b2 = rng.Pick(0.95, 0.99, 0.999);
        double bound = AdamBound(b1, b2);
        var x = new Parameter("x", new float[40]);
        var opt = OptimizerFactory.Create($"adam:lr=1e-2,beta1={b1:R},beta2={b2:R},weight_decay=0", [x]);
        double growth = b1 > 0 ? Math.Min(b2 / b1, 1.2) : 1.2;
        double max = MaxRatioOverRun(opt, x, AdversarialGradients(rng, 40, 200, growth), out double maxTheta);
        // Float rounding of θ (|θ| ≤ maxTheta) adds at most an ulp of θ per step, in units of η.
        double slack = 1e-4 * bound + 4 * Math.Pow(2, -24) * maxTheta / 1e-2;
        Assert.True(max <= bound + slack, $"β = ({b1}, {b2}): max |Δθ|/η = {max:R} > bound {bound:R}");
    }

    /// <summary>
    /// Many tiny gradients (the bias corrections die out) then gradients growing by β2/β1 per step up to a
    /// huge one: the Cauchy-Schwarz equality case. The step must come close to the bound, so the bound
    /// test above would catch an optimizer that overshoots it.
    /// </summary>
    [Fact]
    public void Adam_bound_is_nearly_attained_by_tiny_gradients_then_geometric_growth()
    {
        const double b1 = 0.9, b2 = 0.999;
        double bound = AdamBound(b1, b2);
        var x = new Parameter("x", new float[16]);
        var opt = OptimizerFactory.Create("adam:lr=1e-2,beta1=0.9,beta2=0.999,eps=1e-8,weight_decay=0", [x]);
        var grads = new List<float[]>();
        for (int t = 0; t < 6000; t++) grads.Add(Enumerable.Repeat(t % 2 == 0 ? 1e-7f : -1e-7f, 16).ToArray()); // alternating, so θ stays put
        for (int t = 0; t < 220; t++) grads.Add(Enumerable.Repeat((float)(1e-4 * Math.Pow(b2 / b1, t)), 16).ToArray());
        double max = MaxRatioOverRun(opt, x, grads.ToArray(), out double maxTheta);
        double slack = 1e-4 * bound + 4 * Math.Pow(2, -24) * maxTheta / 1e-2;
        Assert.True(max > 5, $"max |Δθ|/η = {max:R}, expected close to {bound:R}");
        Assert.True(max <= bound + slack, $"max |Δθ|/η = {max:R} > bound {bound:R}");
    }
}
