using FocusLab.Lab.Landscapes;
using FocusLab.Optim;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// One toy run on the 2-D valley, recording the path and the loss at every step (for `focuslab valley
/// trajectory` and loss curves; the sweep engine records only summaries). The optimizer is
/// FocusLab.Optim's (the same rule as the engine, float32 state); gradients and losses are double.
/// Same counter-based noise as <see cref="SweepEngine"/>: replicate r of a point uses key r, so a run
/// here reproduces the engine's replicate r at a one-pixel grid.
/// </summary>
public static class ToyRun
{
    /// <summary>The visited points and losses, θ_0 … θ_steps.</summary>
    public sealed record Path(double[] X, double[] Y, double[] Loss);

    /// <summary>Runs <paramref name="opt"/> for <paramref name="steps"/> steps from θ₀ ~ N(0, initStd²).</summary>
    public static Path Run(ToyOptimizer opt, NarrowingValley2D valley, double lr, double weightDecay, GradientNoise noise,
        ulong seed, uint replicate, int steps, double initStd = 1e-4)
    {
        if (steps < 1) throw new ArgumentException("steps must be ≥ 1");
        var rng = new CounterRng(seed);
        rng.Normals(replicate, 0, out float z0, out float z1);
        var p = new Parameter("theta", [(float)(z0 * initStd), (float)(z1 * initStd)]);
        var optimizer = opt.Create(lr, weightDecay, p);
        optimizer.Threads = 1;
        var th = new double[2]; var g = new double[2];
        var xs = new double[steps + 1]; var ys = new double[steps + 1]; var loss = new double[steps + 1];
        for (int t = 1; t <= steps; t++)
        {
            th[0] = p.DataSpan[0]; th[1] = p.DataSpan[1];
            xs[t - 1] = th[0]; ys[t - 1] = th[1]; loss[t - 1] = valley.Loss(th);
            valley.Gradient(th, g);
            rng.Normals(replicate, (uint)t, out z0, out z1);
            p.GradSpan[0] = (float)noise.Apply(g[0], z0); p.GradSpan[1] = (float)noise.Apply(g[1], z1);
            optimizer.Step();
        }
        th[0] = p.DataSpan[0]; th[1] = p.DataSpan[1];
        xs[steps] = th[0]; ys[steps] = th[1]; loss[steps] = valley.Loss(th);
        return new Path(xs, ys, loss);
    }
}
