using FsCheck.Xunit;

namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// Without weight decay, sign methods move every coordinate by a fixed amount: signum and lion by
/// exactly η wherever their sign argument (m, resp. c) is non-zero and not at all where it is exactly 0;
/// focus by η·(s₁ + γ·s₂) with s₁ = sign(m), s₂ = sign(θ − θ̂) ∈ {−1, 0, 1} and s₂ = 0 at t = 1.
/// The sign arguments are recomputed in double as an independent reference; a sign is checked only
/// where the reference argument is clearly away from 0 (float32 rounding could flip it otherwise),
/// the step size everywhere. Tolerance: the float rounding of θ and of η.
/// </summary>
public sealed class SignStepProperties
{
    /// <summary>Random case: sizes straddle the 8-wide vector body and its scalar tail; gradients span 1e-3..10 with exact zeros and some all-zero coordinates.</summary>
    private sealed class Case
    {
        public readonly float[] Theta;
        public readonly float[][] Grads;
        public readonly double Lr;
        public readonly TestRandom Rng;

        public Case(int seed)
        {
            Rng = new TestRandom(seed);
            int n = Rng.Int(1, 90), steps = Rng.Int(1, 9);
            Theta = Rng.NormalArray(n, Rng.LogUniform(-1, 1));
            Lr = Rng.LogUniform(-4, -1);
            var silent = Enumerable.Range(0, n).Select(_ => Rng.Chance(0.1)).ToArray(); // gradient always 0
            Grads = Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, n)
                .Select(i => silent[i] || Rng.Chance(0.2) ? 0f : (float)(Rng.LogUniform(-3, 1) * Rng.Normal())).ToArray()).ToArray();
        }

        public double GradRms => Math.Sqrt(Grads.SelectMany(g => g).Average(x => (double)x * x)) + 1e-30;
    }

    /// <summary>|Δ − expected| allowed: half an ulp of θ before and after, plus η's float rounding times the multiplier.</summary>
    private static double Tolerance(float before, float after, double lr, double multiplier) =>
        (Math.Abs((double)before) + Math.Abs((double)after)) * Math.Pow(2, -24) * 2
        + Math.Abs(lr - (float)lr) * multiplier + multiplier * lr * Math.Pow(2, -23);

    [Property(MaxTest = 150)]
    public void Signum_moves_each_coordinate_with_nonzero_momentum_by_exactly_lr(int seed)
    {
        var c = new Case(seed);
        double b1 = c.Rng.Pick(0.0, 0.5, 0.9, 0.99);
        var p = new Parameter("x", (float[])c.Theta.Clone());
        var opt = OptimizerFactory.Create($"signum:lr={c.Lr:R},beta1={b1:R},weight_decay=0", [p]);
        var m = new double[p.Length];
        double ambiguous = 1e-4 * c.GradRms;
        foreach (var g in c.Grads)
        {
            g.CopyTo(p.GradSpan);
            var before = p.DataSpan.ToArray();
            opt.Step();
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                float after = p.DataSpan[i];
                double delta = (double)after - before[i];
                if (m[i] == 0) { Assert.Equal(before[i], after); continue; }
                Assert.True(Math.Abs(Math.Abs(delta) - c.Lr) <= Tolerance(before[i], after, c.Lr, 1), $"coordinate {i}: |Δ| = {Math.Abs(delta):R}, η = {c.Lr:R}");
                if (Math.Abs(m[i]) > ambiguous) Assert.Equal(-Math.Sign(m[i]), Math.Sign(delta));
            }
        }
    }

    [Property(MaxTest = 150)]
    public void Lion_moves_each_coordinate_with_nonzero_interpolation_by_exactly_lr(int seed)
    {
        var c = new Case(seed);
        double b1 = c.Rng.Pick(0.0, 0.5, 0.9, 0.95), b2 = c.Rng.Pick(0.0, 0.9, 0.99);
        var p = new Parameter("x", (float[])c.Theta.Clone());
        var opt = OptimizerFactory.Create($"lion:lr={c.Lr:R},beta1={b1:R},beta2={b2:R},weight_decay=0", [p]);
        var m = new double[p.Length];
        double ambiguous = 1e-4 * c.GradRms;
        foreach (var g in c.Grads)
        {
            g.CopyTo(p.GradSpan);
            var before = p.DataSpan.ToArray();
            opt.Step();
            for (int i = 0; i < p.Length; i++)
            {
                double ci = b1 * m[i] + (1 - b1) * g[i];
                m[i] = b2 * m[i] + (1 - b2) * g[i];
                float after = p.DataSpan[i];
                double delta = (double)after - before[i];
                if (ci == 0) { Assert.Equal(before[i], after); continue; }
                Assert.True(Math.Abs(Math.Abs(delta) - c.Lr) <= Tolerance(before[i], after, c.Lr, 1), $"coordinate {i}: |Δ| = {Math.Abs(delta):R}, η = {c.Lr:R}");
                if (Math.Abs(ci) > ambiguous) Assert.Equal(-Math.Sign(ci), Math.Sign(delta));
            }
        }
    }

    [Property(MaxTest = 150)]
    public void Focus_moves_each_coordinate_by_lr_times_sign_of_momentum_plus_gamma_times_a_sign(int seed)
    {
        var c = new Case(seed);
        double b1 = c.Rng.Pick(0.0, 0.9, 0.99), b2 = c.Rng.Pick(0.5, 0.9, 0.99, 0.999);
        // γ ∉ {0, 1, 2, 1/2} keeps the nine values s₁ + γ s₂ distinct, so s₂ is identified from Δ.
        double gamma = c.Rng.Pick(0.1, 0.2, 0.3, 0.75);
        string decay = c.Rng.Pick("before", "after");
        var p = new Parameter("x", (float[])c.Theta.Clone());
        var opt = OptimizerFactory.Create($"focus:lr={c.Lr:R},beta1={b1:R},beta2={b2:R},gamma={gamma:R},weight_decay=0,decay={decay}", [p]);
        var m = new double[p.Length];
        var avg = new double[p.Length];
        double ambiguous = 1e-4 * c.GradRms;
        for (int t = 1; t <= c.Grads.Length; t++)
        {
            var g = c.Grads[t - 1];
            g.CopyTo(p.GradSpan);
            var before = p.DataSpan.ToArray();
            opt.Step();
            double bc = 1 - Math.Pow(b2, t);
            double thetaScale = Math.Sqrt(before.Average(x => (double)x * x));
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                avg[i] = b2 * avg[i] + (1 - b2) * before[i];
                float after = p.DataSpan[i];
                double step = -((double)after - before[i]) / c.Lr; // = s₁ + γ s₂
                int s1 = Math.Sign(m[i]);
                bool s1Known = m[i] == 0 || Math.Abs(m[i]) > ambiguous;
                // The s₂ (and, if m is ambiguous, s₁) that explain the step best.
                var (bs1, bs2, err) = (from a in new[] { -1, 0, 1 }
                                       from b in new[] { -1, 0, 1 }
                                       where !s1Known || a == s1
                                       select (a, b, Math.Abs(step - (a + gamma * b)))).MinBy(x => x.Item3);
                Assert.True(err * c.Lr <= Tolerance(before[i], after, c.Lr, 1 + gamma),
                    $"t={t} coordinate {i}: Δ/η = {-step:R} is not −(s₁ + {gamma}·s₂) for s₁ = {s1}, any s₂");
                if (t == 1) Assert.Equal(0, bs2); // θ̂₁ = θ exactly (docs/equations.md#focus)
                double d = before[i] - avg[i] / bc; // wd = 0: the sign uses the pre-step θ in both orders
                if (Math.Abs(d) > 1e-5 * (Math.Abs(before[i]) + thetaScale)) Assert.Equal(Math.Sign(d), bs2);
            }
        }
    }
}
