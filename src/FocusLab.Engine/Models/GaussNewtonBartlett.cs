using System.Numerics;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data.Sampling;

namespace FocusLab.Engine.Models;

/// <summary>
/// The Gauss–Newton–Bartlett estimator of the diagonal Hessian (Liu et al. 2023, Sophia, section 2.3):
/// sample labels ŷ from the model's own softmax on a batch, then one backward pass of the mean loss
/// L̂ = mean_b CE(logits_b, ŷ_b) gives ĝ, and B·ĝ⊙ĝ is an unbiased estimate of the Gauss–Newton
/// diagonal (Sophia folds the B into its ρ·bs scaling). Sampling is keyed by a seed, so a training run
/// that derives the seed from the step number needs no extra random state to resume exactly.
/// </summary>
public static class GaussNewtonBartlett
{
    /// <summary>
    /// Records on <paramref name="tape"/> the mean cross-entropy of <paramref name="logits"/> (rows × classes,
    /// already recorded on the tape) against labels sampled from softmax(logits) into <paramref name="labels"/>.
    /// </summary>
    /// <param name="tape">The tape the logits were recorded on.</param>
    /// <param name="logits">Logits, one row per example (token).</param>
    /// <param name="labels">Receives one sampled label per row; its length is the number of rows.</param>
    /// <param name="seed">Seed of the label draw (e.g. derived from the training step).</param>
    public static Variable<T> SampledLabelLoss<T>(Tape<T> tape, Variable<T> logits, int[] labels, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SampleLabels<T>(logits.Value.Span, labels.Length, seed, labels);
        return tape.CrossEntropy(logits, labels);
    }

    /// <summary>Draws label b from softmax(logits row b) by inverting its CDF in float64 at a uniform from SplitMix64(seed, b).</summary>
    /// <param name="logits">rows × classes, row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="seed">Seed of the draw.</param>
    /// <param name="labels">Receives the labels.</param>
    public static void SampleLabels<T>(ReadOnlySpan<T> logits, int rows, ulong seed, Span<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows <= 0 || logits.Length % rows != 0)
            throw new ArgumentException($"{logits.Length} logits cannot be split into {rows} rows of equal length.");
        int classes = logits.Length / rows;
        for (int b = 0; b < rows; b++)
        {
            var row = logits.Slice(b * classes, classes);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, double.CreateTruncating(v));
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(double.CreateTruncating(v) - max);
            var rng = new SplitMix64(seed ^ ((ulong)b * 0x9E3779B97F4A7C15UL));
            double u = (rng.Next() >> 11) * (1.0 / (1UL << 53)) * sum;
            int label = classes - 1;
            double cumulative = 0;
            for (int c = 0; c < classes; c++)
            {
                cumulative += Math.Exp(double.CreateTruncating(row[c]) - max);
                if (u < cumulative) { label = c; break; }
            }
            labels[b] = label;
        }
    }
}
