using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;

namespace FocusLab.Engine.Tests.Models;

/// <summary>
/// The Gauss–Newton–Bartlett labels are draws from the model's softmax (Sophia, section 2.3): their
/// frequencies match the probabilities, the draw depends only on the seed, and the sampled-label loss
/// is an ordinary cross-entropy whose gradient the tape computes in one backward pass.
/// </summary>
public sealed class GaussNewtonBartlettTests
{
    [Fact]
    public void Sampled_labels_follow_the_softmax()
    {
        float[] row = [2f, 0f, -1f, 1f];
        double z = row.Sum(v => Math.Exp(v));
        const int draws = 20000;
        var logits = Enumerable.Range(0, draws).SelectMany(_ => row).ToArray();
        var labels = new int[draws];
        GaussNewtonBartlett.SampleLabels<float>(logits, draws, seed: 7, labels);
        for (int c = 0; c < row.Length; c++)
        {
            double p = Math.Exp(row[c]) / z, freq = labels.Count(l => l == c) / (double)draws;
            Assert.True(Math.Abs(freq - p) <= 4 * Math.Sqrt(p * (1 - p) / draws), $"class {c}: frequency {freq:F4}, softmax {p:F4}");
        }
        var again = new int[draws];
        GaussNewtonBartlett.SampleLabels<float>(logits, draws, seed: 7, again);
        Assert.Equal(labels, again);
        GaussNewtonBartlett.SampleLabels<float>(logits, draws, seed: 8, again);
        Assert.NotEqual(labels, again);
    }

    [Fact]
    public void Sampled_label_loss_is_the_cross_entropy_of_the_drawn_labels()
    {
        var tape = new Tape<double>();
        var logits = tape.Leaf(new Tensors.Tensor<double>(3, 5), new Tensors.Tensor<double>(3, 5));
        var r = new Random(1);
        for (int i = 0; i < 15; i++) logits.Value.Span[i] = r.NextDouble() * 4 - 2;
        var labels = new int[3];
        var loss = GaussNewtonBartlett.SampledLabelLoss(tape, logits, labels, seed: 3);
        double expected = 0;
        for (int b = 0; b < 3; b++)
        {
            var row = logits.Value.Span.Slice(b * 5, 5).ToArray();
            expected += Math.Log(row.Sum(Math.Exp)) - row[labels[b]];
        }
        Assert.Equal(expected / 3, loss.Value[0], 12);
    }

    [Fact]
    public void Squared_sampled_label_gradient_estimates_the_gauss_newton_diagonal()
    {
        // For the logits themselves the Gauss–Newton matrix of the cross-entropy is diag(p) − ppᵀ, whose
        // diagonal p(1 − p) is what E[(B·ĝ)²] must give (Sophia, eq. for the GNB estimator).
        const int rows = 20000;
        double[] row = [1.5, 0.0, -0.5, 0.8, -2.0];
        var tape = new Tape<double>();
        var value = new Tensors.Tensor<double>(rows, row.Length);
        var grad = new Tensors.Tensor<double>(rows, row.Length);
        for (int b = 0; b < rows; b++) row.CopyTo(value.Span.Slice(b * row.Length, row.Length));
        var logits = tape.Leaf(value, grad);
        var loss = GaussNewtonBartlett.SampledLabelLoss(tape, logits, new int[rows], seed: 11);
        tape.Backward(loss);
        double z = row.Sum(Math.Exp);
        for (int c = 0; c < row.Length; c++)
        {
            double p = Math.Exp(row[c]) / z, mean = 0;
            for (int b = 0; b < rows; b++) { double g = rows * grad.Span[b * row.Length + c]; mean += g * g / rows; }
            // (B·ĝ)² is (1 − p)² with probability p and p² otherwise: variance p(1−p)(1−2p)², standard error below 0.004 here.
            Assert.True(Math.Abs(mean - p * (1 - p)) <= 0.01, $"class {c}: E[(Bĝ)²] ≈ {mean:F4}, Gauss–Newton diagonal {p * (1 - p):F4}");
        }
    }

    [Fact]
    public void Gpt_query_and_key_rows_form_one_block_per_head_and_value_rows_one_each()
    {
        var ids = Gpt<float>.AttentionRowBlocks(embedding: 8, heads: 2);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11], ids);
    }
}
