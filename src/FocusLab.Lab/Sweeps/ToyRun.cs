using FocusLab.Lab.Landscapes;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// One toy run on the 2-D valley in double precision, recording the path and the loss at every step
/// (for `focuslab valley trajectory` and loss curves; the sweep engine records only summaries).
/// Same semantics and the same counter-based noise as <see cref="SweepEngine"/>: replicate r of a
/// point uses key r, so a run here reproduces the engine's replicate r at a one-pixel grid.
/// </summary>
public static class ToyRun
{
    public sealed record Path(double[] X, double[] Y, double[] Loss);

    public static Path Run(ToyOptimizer opt, NarrowingValley2D valley, double lr, double weightDecay, GradientNoise noise,
        ulong seed, uint replicate, int steps, double initStd = 1e-4)
    {
        if (steps < 1) throw new ArgumentException("steps must be ≥ 1");
        var rng = new CounterRng(seed);
        rng.Normals(replicate, 0, out float z0, out float z1);
        var th = new[] { z0 * initStd, z1 * initStd };
        var m = new double[2]; var s = new double[2]; var g = new double[2];
        var xs = new double[steps + 1]; var ys = new double[steps + 1]; var loss = new double[steps + 1];
        for (int t = 1; t <= steps; t++)
        {
            xs[t - 1] = th[0]; ys[t - 1] = th[1]; loss[t - 1] = valley.Loss(th);
            valley.Gradient(th, g);
            rng.Normals(replicate, (uint)t, out z0, out z1);
            g[0] = noise.Apply(g[0], z0); g[1] = noise.Apply(g[1], z1);
            double c1 = 1 - Math.Pow(opt.Beta1, t), c2 = 1 - Math.Pow(opt.Beta2, t);
            for (int i = 0; i < 2; i++)
            {
                m[i] = opt.Beta1 * m[i] + (1 - opt.Beta1) * g[i];
                double update = opt.Kind switch
                {
                    ToyOptimizerKind.Adam => AdamUpdate(ref s[i], m[i], g[i], opt, c1, c2),
                    ToyOptimizerKind.Signum => Math.Sign(m[i]),
                    _ => FocusUpdate(ref s[i], m[i], th[i], opt, c2),
                };
                th[i] -= lr * (update + weightDecay * th[i]);
            }
        }
        xs[steps] = th[0]; ys[steps] = th[1]; loss[steps] = valley.Loss(th);
        return new Path(xs, ys, loss);
    }

    private static double AdamUpdate(ref double v, double m, double g, ToyOptimizer o, double c1, double c2)
    {
        v = o.Beta2 * v + (1 - o.Beta2) * g * g;
        return m / c1 / (Math.Sqrt(v / c2) + o.Eps);
    }

    private static double FocusUpdate(ref double bar, double m, double theta, ToyOptimizer o, double c2)
    {
        bar = o.Beta2 * bar + (1 - o.Beta2) * theta;
        return Math.Sign(m) + o.Gamma * Math.Sign(theta * c2 - bar); // sign(θ − θ̂) without the division (docs/equations.md#focus)
    }
}
