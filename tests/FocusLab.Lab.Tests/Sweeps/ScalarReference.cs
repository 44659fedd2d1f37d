using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// Independent scalar double-precision toy run, written from docs/equations.md#toy-optimizers without the engine's
/// code: the landscape classes' double gradients, the same counter-based normal draws (so the noise
/// matches), and the optimizer equations spelled out one coordinate at a time.
/// </summary>
internal static class ScalarReference
{
    public sealed record Run(double FinalLoss, double MinLoss, double MaxU, double[] Theta);

    public static Run Simulate(ToyOptimizer opt, ILandscape f, Func<double[], double> progressU, double lr, double wd,
        double sigma, NoiseKind noise, ulong seed, uint key, int steps, double initStd = 1e-4)
    {
        int n = f.Dimension, pairs = (n + 1) / 2;
        var rng = new CounterRng(seed);
        double[] Draw(uint counterBase)
        {
            var z = new double[2 * pairs];
            for (int p = 0; p < pairs; p++) { rng.Normals(key, counterBase + (uint)p, out float a, out float b); z[2 * p] = a; z[2 * p + 1] = b; }
            return z;
        }
        var theta = Draw(0).Take(n).Select(v => v * initStd).ToArray();
        double beta1 = opt.Get("beta1"), beta2 = opt.OptimizerId == "signum" ? 0 : opt.Get("beta2");
        double eps = opt.OptimizerId == "adamw" ? opt.Get("eps") : 0, gamma = opt.OptimizerId == "focus" ? opt.Get("gamma") : 0;
        var m = new double[n]; var v2 = new double[n]; var bar = new double[n]; var g = new double[n];
        double minLoss = double.PositiveInfinity, maxU = double.NegativeInfinity;
        for (int t = 1; t <= steps; t++)
        {
            minLoss = Math.Min(minLoss, f.Loss(theta)); maxU = Math.Max(maxU, progressU(theta));
            f.Gradient(theta, g);
            new GradientNoise(noise, sigma).Apply(g, Draw((uint)(t * pairs)));
            for (int i = 0; i < n; i++)
            {
                double update;
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                switch (opt.OptimizerId)
                {
                    case "adamw":
                        v2[i] = beta2 * v2[i] + (1 - beta2) * g[i] * g[i];
                        double mHat = m[i] / (1 - Math.Pow(beta1, t)), vHat = v2[i] / (1 - Math.Pow(beta2, t));
                        update = mHat / (Math.Sqrt(vHat) + eps);
                        break;
                    case "signum":
                        update = Math.Sign(m[i]);
                        break;
                    case "focus":
                        bar[i] = beta2 * bar[i] + (1 - beta2) * theta[i];
                        double thetaHat = bar[i] / (1 - Math.Pow(beta2, t));
                        // At t = 1, θ̂ = θ exactly in real arithmetic; compare with a relative guard as the engine's exact form does.
                        double diff = theta[i] - thetaHat;
                        update = Math.Sign(m[i]) + gamma * (Math.Abs(diff) <= 1e-12 * Math.Abs(theta[i]) ? 0 : Math.Sign(diff));
                        break;
                    default: throw new ArgumentException($"no scalar reference for {opt.Spec}");
                }
                theta[i] -= lr * (update + wd * theta[i]); // decay toward the pre-step θ inside the step
            }
        }
        double final = f.Loss(theta);
        return new Run(final, Math.Min(minLoss, final), Math.Max(maxU, progressU(theta)), theta);
    }
}
