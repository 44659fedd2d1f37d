using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Tensors;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.ModelLoss;
using FocusLab.Lab.Tests.ModelLoss;

namespace FocusLab.Lab.Tests.Diagnostics;

public class GaussNewtonSmoothnessTests
{
    /// <summary>One removal criterion computed on an explicit d×d matrix in double precision.</summary>
    private sealed record ReferenceCut(double Reduced, int[] Removed, double Mean, double Threshold);

    /// <summary>Everything appendix D reports, both criteria: row norms ‖G e_i‖ (4× their mean over all d) and the
    /// factor's column norms ‖a_i‖ = √(B·G_ii) (2× their mean over the candidates).</summary>
    private sealed record Reference(double Norm, ReferenceCut Row, ReferenceCut Factor);

    private static Reference Explicit(double[] g, int d, int samples, bool[]? candidates = null)
    {
        var rowNorms = Enumerable.Range(0, d).Select(i => Math.Sqrt(Enumerable.Range(0, d).Sum(j => g[i * d + j] * g[i * d + j]))).ToArray();
        var factorNorms = Enumerable.Range(0, d).Select(i => Math.Sqrt(samples * g[i * d + i])).ToArray();
        double norm = SymmetricEigen.Decompose(g, d).Values.Max();
        ReferenceCut Cut(double[] norms, bool[] eligible, double factor)
        {
            double mean = Enumerable.Range(0, d).Where(i => eligible[i]).Average(i => norms[i]), threshold = factor * mean;
            var removed = Enumerable.Range(0, d).Where(i => eligible[i] && norms[i] >= threshold).ToArray();
            var keep = Enumerable.Range(0, d).Except(removed).ToArray();
            var sub = new double[keep.Length * keep.Length];
            for (int i = 0; i < keep.Length; i++)
                for (int j = 0; j < keep.Length; j++) sub[i * keep.Length + j] = g[keep[i] * d + keep[j]];
            return new ReferenceCut(SymmetricEigen.Decompose(sub, keep.Length).Values.Max(), removed, mean, threshold);
        }
        var all = Enumerable.Repeat(true, d).ToArray();
        return new Reference(norm, Cut(rowNorms, all, 4), Cut(factorNorms, candidates ?? all, 2));
    }

    private static void AssertMatches(Reference expected, GaussNewtonResult actual, int d, double tolerance)
    {
        Assert.Equal(expected.Norm, actual.SpectralNorm, tolerance * expected.Norm);
        Assert.True(actual.Converged);
        foreach (var (e, a) in new[] { (expected.Row, actual.RowNorm), (expected.Factor, actual.FactorNorm) })
        {
            Assert.Equal(e.Reduced, a.ReducedSpectralNorm, tolerance * expected.Norm);
            Assert.Equal(e.Mean, a.MeanNorm, tolerance * e.Mean);
            Assert.Equal(e.Threshold, a.Threshold, tolerance * e.Threshold);
            Assert.Equal(e.Removed.Length, a.Removed);
            Assert.Equal((double)e.Removed.Length / d, a.FractionRemoved, 12);
            Assert.Equal(expected.Norm / e.Reduced, a.Ratio, tolerance * 10 * a.Ratio);
            Assert.True(a.Converged);
        }
    }

    /// <summary>Multinomial logistic regression z_b = W x_b + c: linear in θ, so its Gauss–Newton matrix is its exact Hessian.</summary>
    private sealed class Logistic(double[] x, int[] y, int samples, int features, int classes) : IClassifierJacobian
    {
        public double[] Theta { get; } = Enumerable.Range(0, classes * features + classes).Select(i => 0.3 * Math.Sin(1.7 * i + 0.4)).ToArray();
        public int Samples => samples;
        public int Classes => classes;
        public int Dimension => classes * features + classes;

        public void Logits(Span<double> z) => Logits(Theta, z);

        private void Logits(double[] theta, Span<double> z)
        {
            for (int b = 0; b < samples; b++)
                for (int k = 0; k < classes; k++)
                {
                    double s = theta[classes * features + k];
                    for (int f = 0; f < features; f++) s += theta[k * features + f] * x[b * features + f];
                    z[b * classes + k] = s;
                }
        }

        public void VectorJacobianProduct(ReadOnlySpan<double> seed, Span<float> result)
        {
            result.Clear();
            for (int b = 0; b < samples; b++)
                for (int k = 0; k < classes; k++)
                {
                    double s = seed[b * classes + k];
                    for (int f = 0; f < features; f++) result[k * features + f] += (float)(s * x[b * features + f]);
                    result[classes * features + k] += (float)s;
                }
        }

        /// <summary>Gradient of the mean cross-entropy: (1/B) Σ_b (p_b − e_{y_b}) ⊗ [x_b, 1].</summary>
        public double[] Gradient(double[] theta)
        {
            var z = new double[samples * classes];
            Logits(theta, z);
            var g = new double[Dimension];
            for (int b = 0; b < samples; b++)
            {
                var zb = z.AsSpan(b * classes, classes);
                double max = zb.ToArray().Max(), sum = zb.ToArray().Sum(v => Math.Exp(v - max));
                for (int k = 0; k < classes; k++)
                {
                    double r = (Math.Exp(zb[k] - max) / sum - (y[b] == k ? 1 : 0)) / samples;
                    for (int f = 0; f < features; f++) g[k * features + f] += r * x[b * features + f];
                    g[classes * features + k] += r;
                }
            }
            return g;
        }
    }

    [Fact]
    public void Logistic_regression_matches_the_finite_difference_hessian_including_the_row_norm_cut()
    {
        int samples = 7, features = 4, classes = 3;
        var rng = new Random(11);
        // Feature 0 is 30× larger: its weights' rows of G are the heavy ones the cut should remove.
        var x = Enumerable.Range(0, samples * features).Select(i => (i % features == 0 ? 30 : 1) * (rng.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, samples).Select(_ => rng.Next(classes)).ToArray();
        var model = new Logistic(x, y, samples, features, classes);
        int d = model.Dimension;
        // Independent reference: the Hessian of the loss by central differences of the analytic gradient.
        var h = new double[d * d];
        const double step = 1e-5;
        for (int j = 0; j < d; j++)
        {
            var plus = (double[])model.Theta.Clone(); plus[j] += step;
            var minus = (double[])model.Theta.Clone(); minus[j] -= step;
            var gp = model.Gradient(plus); var gm = model.Gradient(minus);
            for (int i = 0; i < d; i++) h[i * d + j] = (gp[i] - gm[i]) / (2 * step);
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) h[i * d + j] = h[j * d + i] = 0.5 * (h[i * d + j] + h[j * d + i]);
        var expected = Explicit(h, d, samples);
        Assert.InRange(expected.Row.Removed.Length, 1, d - 1); // the cuts are non-trivial
        Assert.InRange(expected.Factor.Removed.Length, 1, d - 1);
        Assert.True(expected.Norm / expected.Row.Reduced > 1.5, $"ratio {expected.Norm / expected.Row.Reduced}");

        // Column blocks of 4 split d = 15 into uneven pieces: the blocked (and masked) Gram must not depend on the split.
        foreach (int block in new[] { 4, 8192 })
            AssertMatches(expected, GaussNewtonSmoothness.Measure(model, new GaussNewtonOptions { ColumnBlock = block }), d, 1e-5);

        // The factor-norm criterion restricted to a subset (here the weights of class 0 and the biases) averages over and removes only those.
        var candidates = Enumerable.Range(0, d).Select(i => i < features || i >= classes * features).ToArray();
        var restricted = Explicit(h, d, samples, candidates);
        Assert.NotEqual(expected.Factor.Removed.Length, restricted.Factor.Removed.Length);
        var measured = GaussNewtonSmoothness.Measure(model, new GaussNewtonOptions { ColumnBlock = 4, FactorNormCandidates = candidates, FactorNormCandidatesName = "class 0 and biases" });
        AssertMatches(restricted, measured, d, 1e-5);
        Assert.Equal((candidates.Count(c => c), "class 0 and biases"), (measured.FactorNorm.CandidateCount, measured.FactorNorm.Candidates));
    }

    [Fact]
    public void Engine_mlp_with_batchnorm_matches_jacobians_by_finite_differences_of_the_logits()
    {
        var config = new MlpConfig(Inputs: 4, Hidden: 3, Depth: 1, Classes: 3);
        int batch = 6;
        var model = new Mlp<float>(config, seed: 4) { Training = false };
        var rng = new Random(9);
        foreach (var p in model.Parameters)
            for (int i = 0; i < p.Length; i++) p.Value[i] += (float)(0.5 * (rng.NextDouble() * 2 - 1));
        var inputs = new Tensor<float>(batch, config.Inputs);
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(rng.NextDouble() * 2 - 1) * (i % 4 == 0 ? 4 : 1);
        var before = model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();

        // Double twin in the same mode (training-mode BatchNorm), logits as a function of θ.
        var twin = new Mlp<double>(config, seed: 0) { Training = true, UpdateRunningStatistics = false };
        twin.CopyFrom(model);
        var xd = new Tensor<double>(inputs.Shape);
        for (int i = 0; i < inputs.Length; i++) xd[i] = inputs[i];
        var tape = new Tape<double>(recordGradients: false);
        double[] Logits() { tape.Reset(); return twin.Forward(tape, xd).Value.Span.ToArray(); }
        var theta = TinyModels.Flat(twin.Parameters);
        int d = theta.Length, n = batch * config.Classes;
        var jac = new double[n * d]; // J[(b,k), j] by central differences
        const double step = 1e-6;
        for (int j = 0; j < d; j++)
        {
            var t = (double[])theta.Clone();
            t[j] += step; TinyModels.SetFlat(twin.Parameters, t); var zp = Logits();
            t[j] -= 2 * step; TinyModels.SetFlat(twin.Parameters, t); var zm = Logits();
            for (int r = 0; r < n; r++) jac[r * d + j] = (zp[r] - zm[r]) / (2 * step);
        }
        TinyModels.SetFlat(twin.Parameters, theta);
        var z = Logits();
        var g = new double[d * d];
        for (int b = 0; b < batch; b++)
        {
            var e = z.Skip(b * config.Classes).Take(config.Classes).Select(Math.Exp).ToArray();
            var p = e.Select(v => v / e.Sum()).ToArray();
            for (int k = 0; k < config.Classes; k++)
                for (int l = 0; l < config.Classes; l++)
                {
                    double hkl = (k == l ? p[k] : 0) - p[k] * p[l];
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++) g[i * d + j] += jac[(b * config.Classes + k) * d + i] * hkl * jac[(b * config.Classes + l) * d + j] / batch;
                }
        }
        var expected = Explicit(g, d, batch);

        Assert.InRange(expected.Row.Removed.Length, 1, d - 1); // the heavy rows exist here too, so the cut is exercised
        Assert.InRange(expected.Factor.Removed.Length, 1, d - 1);
        var result = GaussNewtonSmoothness.Measure(new MlpClassifierJacobian(model, inputs));
        AssertMatches(expected, result, d, 2e-4);
        Assert.Equal((batch, config.Classes, d), (result.Samples, result.Classes, result.Dimension));
        // The measurement leaves the model as it found it: parameters, mode and zeroed gradients.
        Assert.Equal(before, model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray());
        Assert.False(model.Training);
        Assert.All(model.Parameters, p => Assert.All(p.Grad.Span.ToArray(), v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void Gpt_last_position_jacobian_matches_finite_differences_of_the_logits()
    {
        var (model, _, tokens, _) = TinyModels.Gpt(seed: 3, batch: 2);
        var config = TinyModels.GptSizes;
        int samples = 2, time = config.BlockSize, k = config.VocabSize;
        var jac = new GptClassifierJacobian(model, tokens, samples, time);
        int d = jac.Dimension;

        // Double twin in evaluation mode; the last position's logits of each window as a function of θ.
        var twin = new Gpt<double>(config, seed: 0) { Training = false };
        twin.CopyFrom(model);
        var tape = new Tape<double>(recordGradients: false);
        double[] Logits()
        {
            tape.Reset();
            var z = twin.Forward(tape, tokens, samples, time).Value.Span.ToArray();
            return Enumerable.Range(0, samples).SelectMany(s => z.AsSpan((s * time + time - 1) * k, k).ToArray()).ToArray();
        }
        var theta = TinyModels.Flat(twin.Parameters);
        var seed = Enumerable.Range(0, samples * k).Select(i => Math.Sin(0.7 * i + 0.2)).ToArray();
        var expected = new double[d]; // Jᵀ·seed by central differences
        const double step = 1e-6;
        for (int j = 0; j < d; j++)
        {
            var t = (double[])theta.Clone();
            t[j] += step; TinyModels.SetFlat(twin.Parameters, t); var zp = Logits();
            t[j] -= 2 * step; TinyModels.SetFlat(twin.Parameters, t); var zm = Logits();
            for (int r = 0; r < zp.Length; r++) expected[j] += seed[r] * (zp[r] - zm[r]) / (2 * step);
        }
        TinyModels.SetFlat(twin.Parameters, theta);
        var logits = new double[samples * k];
        jac.Logits(logits);
        var z0 = Logits();
        for (int r = 0; r < logits.Length; r++) Assert.Equal(z0[r], logits[r], 1e-5);
        var actual = new float[d];
        jac.VectorJacobianProduct(seed, actual);
        double scale = expected.Max(Math.Abs);
        for (int j = 0; j < d; j++) Assert.Equal(expected[j], actual[j], 1e-4 * scale);
        Assert.All(model.Parameters, p => Assert.All(p.Grad.Span.ToArray(), v => Assert.Equal(0f, v)));
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => new GptClassifierJacobian(model, [99, 0, 0, 0], 1, time)).Message);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var model = new Mlp<float>(new MlpConfig(Inputs: 2, Hidden: 2, Depth: 1, Classes: 2), 1);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => new MlpClassifierJacobian(model, new Tensor<float>(1, 2))).Message);
        Assert.Contains("inputs [N, 2]", Assert.Throws<ArgumentException>(() => new MlpClassifierJacobian(model, new Tensor<float>(4, 3))).Message);
        var jac = new MlpClassifierJacobian(model, new Tensor<float>(4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussNewtonSmoothness.Measure(jac, new GaussNewtonOptions { RowNormThreshold = 0 }));
        Assert.Contains("select no parameter", Assert.Throws<ArgumentException>(() => GaussNewtonSmoothness.Measure(jac, new GaussNewtonOptions { FactorNormCandidates = new bool[jac.Dimension] })).Message);
        Assert.Contains("mask has 3 entries", Assert.Throws<ArgumentException>(() => GaussNewtonSmoothness.Measure(jac, new GaussNewtonOptions { FactorNormCandidates = new bool[3] })).Message);
    }
}
