namespace FocusLab.Lab.Studies.Race;

/// <summary>
/// One loss spike: consecutive steps whose training loss exceeds <c>factor</c> × the running median of
/// the preceding <c>window</c> losses. <see cref="Step"/> is the first such step, <see cref="PeakRatio"/>
/// the largest loss/median ratio within it. The update statistics are those of the steps just before
/// the spike (S3 paper: large per-coordinate updates |Δθ|/η precede spikes).
/// </summary>
public sealed record Spike(long Step, int Length, double Loss, double Median, double PeakRatio,
    double? UpdateMaxBefore, double? UpdateMeanBefore, double? UpdateMaxAtPreviousStep);

/// <summary>Finds loss spikes in a training curve (FocusLab's definition: loss &gt; 1.5 × median of the last 50 steps).</summary>
internal static class SpikeDetector
{
    public const int DefaultWindow = 50;
    public const double DefaultFactor = 1.5;

    /// <param name="steps">Step number of each entry.</param>
    /// <param name="losses">Training loss per step (non-finite values end the search: the run diverged there).</param>
    /// <param name="updateMax">Optional max |Δθ|/η per step.</param>
    /// <param name="updateMean">Optional mean |Δθ|/η per step.</param>
    /// <param name="minHistory">Steps needed before a spike can be declared (the median of very few steps is noise).</param>
    /// <param name="lookBack">Steps before a spike whose update statistics are summarised (max of maxima, mean of means).</param>
    public static List<Spike> Find(IReadOnlyList<long> steps, IReadOnlyList<double> losses,
        IReadOnlyList<double?>? updateMax = null, IReadOnlyList<double?>? updateMean = null,
        int window = DefaultWindow, double factor = DefaultFactor, int minHistory = 10, int lookBack = 5)
    {
        if (steps.Count != losses.Count) throw new ArgumentException("steps and losses must have the same length.");
        if (window < 1 || minHistory < 1 || minHistory > window) throw new ArgumentException($"Need 1 ≤ minHistory ({minHistory}) ≤ window ({window}).");
        if (!(factor > 1)) throw new ArgumentException($"The spike factor must be > 1; got {factor}.");
        var spikes = new List<Spike>();
        var buffer = new double[window];
        Spike? open = null;
        for (int i = 0; i < losses.Count; i++)
        {
            double loss = losses[i];
            if (!double.IsFinite(loss)) break;
            int have = Math.Min(i, window);
            if (have >= minHistory)
            {
                for (int k = 0; k < have; k++) buffer[k] = losses[i - have + k];
                double median = Median(buffer.AsSpan(0, have));
                double ratio = loss / median;
                if (loss > factor * median)
                {
                    if (open is null)
                    {
                        int from = Math.Max(0, i - lookBack);
                        open = new Spike(steps[i], 1, loss, median, ratio,
                            MaxOf(updateMax, from, i), MeanOf(updateMean, from, i), i > 0 ? updateMax?[i - 1] : null);
                    }
                    else open = open with { Length = open.Length + 1, PeakRatio = Math.Max(open.PeakRatio, ratio), Loss = Math.Max(open.Loss, loss) };
                    continue;
                }
            }
            if (open is not null) { spikes.Add(open); open = null; }
        }
        if (open is not null) spikes.Add(open);
        return spikes;
    }

    /// <summary>Median (mean of the two middle values for an even count); sorts <paramref name="values"/> in place.</summary>
    public static double Median(Span<double> values)
    {
        values.Sort();
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }

    private static double? MaxOf(IReadOnlyList<double?>? x, int from, int to)
    {
        if (x is null || to <= from) return null;
        double? m = null;
        for (int i = from; i < to; i++) if (x[i] is { } v && (m is null || v > m)) m = v;
        return m;
    }

    private static double? MeanOf(IReadOnlyList<double?>? x, int from, int to)
    {
        if (x is null || to <= from) return null;
        double s = 0; int n = 0;
        for (int i = from; i < to; i++) if (x[i] is { } v) { s += v; n++; }
        return n == 0 ? null : s / n;
    }
}
