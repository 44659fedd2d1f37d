using FocusLab.Engine.Autodiff;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Studies;

/// <summary>
/// Gradient noise of a model at one batch size, from K independent minibatch gradients g_1..g_K of that
/// size at fixed parameters. Per coordinate i: mean m_i and sample variance v_i over k (Welford, so no
/// cancellation when |m_i| ≫ √v_i).
/// <list type="bullet">
/// <item><see cref="MedianStdOverMean"/>: median over the coordinates some batch touched of √v_i/|m_i| — the per-coordinate noise-to-signal
/// ratio, the network's counterpart of the toy valley's σ/|∇L| (docs/equations.md, phase diagrams).</item>
/// <item><see cref="TraceCov"/> = Σ v_i = tr Cov(g_b), the noise of one minibatch gradient;
/// <see cref="GradNormSq"/> = ‖m‖² − tr Cov/K, an unbiased estimate of ‖G‖² (E‖m‖² = ‖G‖² + tr Cov/K).</item>
/// <item><see cref="NoiseToSignal"/> = tr Cov(g_b)/‖G‖² at this batch size, and <see cref="SimpleNoiseScale"/> =
/// b · tr Cov(g_b)/‖G‖² = tr Σ/‖G‖² with Σ the per-sequence covariance (McCandlish et al. 2018, B_simple);
/// measured at one point it is the same for every b, so it also checks the 1/b scaling.</item>
/// </list>
/// Null ratios mean ‖G‖² was not resolved (its estimate ≤ 0: the noise swamps the mean at this K). For a
/// coordinate whose true mean is much smaller than its noise, |m_i| ≈ √(2v_i/(πK)), so √v_i/|m_i| saturates
/// near √(πK/2) (5.0 for K = 16, 10 for K = 64): medians near that value mean "unresolved at this K", not a
/// smaller noise.
/// </summary>
public sealed record GradientNoise(int Batch, int Gradients, long Parameters, double MedianStdOverMean, double TraceCov, double MeanNormSq,
    double GradNormSq, double? NoiseToSignal, double? SimpleNoiseScale)
{
    /// <summary>Draws <paramref name="gradients"/> training batches from <paramref name="task"/> (its sampler advances) and measures their noise at the model's current parameters.</summary>
    public static GradientNoise Measure(ITrainingTask task, int batch, int gradients)
    {
        if (gradients < 2) throw new ArgumentException($"The noise needs at least 2 gradients; got {gradients}.");
        var model = task.Model;
        int d = checked((int)model.ParameterCount);
        var mean = new double[d];
        var m2 = new double[d];
        var g = new double[d];
        var tape = new Tape<float>();
        for (int k = 1; k <= gradients; k++)
        {
            tape.Reset();
            model.ZeroGrad();
            var loss = task.NextLoss(tape);
            tape.Backward(loss);
            model.GatherGradients<double>(g);
            for (int i = 0; i < d; i++)
            {
                double delta = g[i] - mean[i];
                mean[i] += delta / k;
                m2[i] += delta * (g[i] - mean[i]);
            }
        }
        model.ZeroGrad();
        double trace = 0, normSq = 0;
        var ratios = new List<double>(d);
        for (int i = 0; i < d; i++)
        {
            double v = m2[i] / (gradients - 1);
            trace += v;
            normSq += mean[i] * mean[i];
            // Coordinates no batch touched (embeddings of bytes absent from every batch) have no noise to speak of.
            if (v > 0 || mean[i] != 0) ratios.Add(Math.Sqrt(v) / Math.Abs(mean[i]));
        }
        ratios.Sort();
        int n = ratios.Count;
        double median = n == 0 ? double.NaN : n % 2 == 1 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
        double g2 = normSq - trace / gradients;
        return new GradientNoise(batch, gradients, d, median, trace, normSq, g2,
            g2 > 0 ? trace / g2 : null, g2 > 0 ? batch * trace / g2 : null);
    }

    /// <summary>
    /// B_simple from several measurements at one model: tr Σ = mean over them of b·tr Cov(g_b) and ‖G‖² = mean of
    /// their unbiased estimates (all estimate the same two numbers), so B_simple = tr Σ/‖G‖²; null when ‖G‖² is not resolved.
    /// </summary>
    public static double? PooledSimpleNoiseScale(IReadOnlyList<GradientNoise> atOneModel)
    {
        if (atOneModel.Count == 0) return null;
        double traceSigma = atOneModel.Average(n => n.Batch * n.TraceCov), g2 = atOneModel.Average(n => n.GradNormSq);
        return g2 > 0 ? traceSigma / g2 : null;
    }
}
