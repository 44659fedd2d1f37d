using FocusLab.Engine.Autodiff;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Studies.Noise;

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
        var stats = new Moments(checked((int)model.ParameterCount));
        var g = new double[stats.Dimension];
        var tape = new Tape<float>();
        for (int k = 0; k < gradients; k++)
        {
            Gradient(task, tape, g);
            stats.Add(g);
        }
        model.ZeroGrad();
        return stats.Result(batch);
    }

    /// <summary>
    /// The noise at several batch sizes from one stream of single-sequence gradients (<paramref name="perSequence"/>
    /// must draw one sequence per step): consecutive groups of b sequences form the batch-b gradients (the mean
    /// loss over a batch has the mean of its sequences' gradients), so every batch size sees the same
    /// <paramref name="gradientsAtLargest"/> × max(b) sequences and their heavy-tailed outliers alike; batch size b
    /// gets gradientsAtLargest × max(b)/b gradients.
    /// </summary>
    public static GradientNoise[] MeasureNested(ITrainingTask perSequence, IReadOnlyList<int> batches, int gradientsAtLargest)
    {
        if (perSequence.ItemsPerStep <= 0) throw new ArgumentException("The task draws no items per step.");
        if (batches.Count == 0 || batches.Any(b => b < 1)) throw new ArgumentException("Give batch sizes ≥ 1.");
        if (gradientsAtLargest < 2) throw new ArgumentException($"The noise needs at least 2 gradients; got {gradientsAtLargest}.");
        int largest = batches.Max();
        if (batches.Any(b => largest % b != 0)) throw new ArgumentException($"Every batch size must divide the largest ({largest}) so the groups tile the same sequences.");
        int d = checked((int)perSequence.Model.ParameterCount);
        var moments = batches.Select(_ => new Moments(d)).ToArray();
        var sums = batches.Select(_ => new double[d]).ToArray();
        var g = new double[d];
        var tape = new Tape<float>();
        int n = gradientsAtLargest * largest;
        for (int s = 1; s <= n; s++)
        {
            Gradient(perSequence, tape, g);
            for (int j = 0; j < batches.Count; j++)
            {
                var sum = sums[j];
                for (int i = 0; i < d; i++) sum[i] += g[i];
                if (s % batches[j] != 0) continue;
                double inv = 1.0 / batches[j];
                for (int i = 0; i < d; i++) sum[i] *= inv;
                moments[j].Add(sum);
                Array.Clear(sum);
            }
        }
        perSequence.Model.ZeroGrad();
        return batches.Select((b, j) => moments[j].Result(b)).ToArray();
    }

    private static void Gradient(ITrainingTask task, Tape<float> tape, double[] into)
    {
        tape.Reset();
        task.Model.ZeroGrad();
        tape.Backward(task.NextLoss(tape));
        task.Model.GatherGradients<double>(into);
    }

    /// <summary>Per-coordinate mean and sum of squared deviations of a stream of vectors (Welford).</summary>
    private sealed class Moments(int dimension)
    {
        private readonly double[] _mean = new double[dimension], _m2 = new double[dimension];
        private int _count;

        public int Dimension => dimension;

        public void Add(double[] x)
        {
            _count++;
            for (int i = 0; i < x.Length; i++)
            {
                double delta = x[i] - _mean[i];
                _mean[i] += delta / _count;
                _m2[i] += delta * (x[i] - _mean[i]);
            }
        }

        public GradientNoise Result(int batch)
        {
            double trace = 0, normSq = 0;
            var ratios = new List<double>(_mean.Length);
            for (int i = 0; i < _mean.Length; i++)
            {
                double v = _m2[i] / (_count - 1);
                trace += v;
                normSq += _mean[i] * _mean[i];
                // Coordinates no batch touched (embeddings of bytes absent from every batch) have no noise to speak of.
                if (v > 0 || _mean[i] != 0) ratios.Add(Math.Sqrt(v) / Math.Abs(_mean[i]));
            }
            ratios.Sort();
            int n = ratios.Count;
            double median = n == 0 ? double.NaN : n % 2 == 1 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
            double g2 = normSq - trace / _count;
            return new GradientNoise(batch, _count, _mean.Length, median, trace, normSq, g2, g2 > 0 ? trace / g2 : null, g2 > 0 ? batch * trace / g2 : null);
        }
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
