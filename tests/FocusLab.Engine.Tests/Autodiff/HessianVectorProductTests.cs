using FocusLab.Engine.Tests.Autodiff;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Tests.Autodiff;

public class HessianVectorProductTests
{
    private static double[] RandomVector(int n, int seed) => GradientCheck.Random(seed, 1, n).Span.ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tol)
    {
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, scale), $"[{i}] {expected[i]:R} vs {actual[i]:R}");
    }

    private static double[] Times(double[,] h, double[] v)
    {
        int n = v.Length; var r = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i] += h[i, j] * v[j];
        return r;
    }

    [Fact]
    public void SoftmaxRegressionMatchesClosedFormHessian()
    {
        // L = mean CE(x Wᵀ + b); H = (1/N) Σ_n (diag p − p pᵀ) ⊗ z zᵀ with z = [x; 1] (W row-major, then b).
        int n = 6, d = 3, k = 4;
        var x = GradientCheck.Random(1, 1, n, d);
        int[] labels = [0, 3, 1, 2, 2, 1];
        var w = new ParameterTensor<double>("w", k, d); var b = new ParameterTensor<double>("b", k);
        GradientCheck.Random(2, 1, k, d).Span.CopyTo(w.Value.Span);
        GradientCheck.Random(3, 1, k).Span.CopyTo(b.Value.Span);
        var tape = new Tape<double>();
        var hvp = new HessianVectorProduct([w, b], () =>
        {
            tape.Reset();
            var loss = tape.CrossEntropy(tape.Linear(tape.Constant(x), w.On(tape), b.On(tape)), labels);
            tape.Backward(loss);
            return loss.Value[0];
        });
        int dim = k * d + k;
        var h = new double[dim, dim];
        int Index(int cls, int feature) => feature < d ? cls * d + feature : k * d + cls;
        for (int s = 0; s < n; s++)
        {
            var logits = new double[k];
            for (int c = 0; c < k; c++) { logits[c] = b.Value[c]; for (int j = 0; j < d; j++) logits[c] += w.Value[c * d + j] * x[s * d + j]; }
            double max = logits.Max(); var p = logits.Select(l => Math.Exp(l - max)).ToArray(); double z = p.Sum();
            for (int c = 0; c < k; c++) p[c] /= z;
            for (int c1 = 0; c1 < k; c1++)
                for (int c2 = 0; c2 < k; c2++)
                {
                    double sc = (c1 == c2 ? p[c1] : 0) - p[c1] * p[c2];
                    for (int f1 = 0; f1 <= d; f1++)
                        for (int f2 = 0; f2 <= d; f2++)
                        {
                            double z1 = f1 < d ? x[s * d + f1] : 1, z2 = f2 < d ? x[s * d + f2] : 1;
                            h[Index(c1, f1), Index(c2, f2)] += sc * z1 * z2 / n;
                        }
                }
        }
        for (int trial = 0; trial < 3; trial++)
        {
            var v = RandomVector(dim, 10 + trial);
            AssertClose(Times(h, v), hvp.Multiply(v), 1e-8);
        }
    }

    [Fact]
    public void LeastSquaresMatchesClosedFormHessian()
    {
        // L = mean over N·K of (x Wᵀ + b − y)²; H = 2/(N·K) Σ_n I_K ⊗ z zᵀ.
        int n = 5, d = 3, k = 2;
        var x = GradientCheck.Random(1, 1, n, d); var y = GradientCheck.Random(2, 1, n, k);
        var w = new ParameterTensor<double>("w", k, d); var b = new ParameterTensor<double>("b", k);
        GradientCheck.Random(3, 1, k, d).Span.CopyTo(w.Value.Span);
        var tape = new Tape<double>();
        var hvp = new HessianVectorProduct([w, b], () =>
        {
            tape.Reset();
            var r = tape.Subtract(tape.Linear(tape.Constant(x), w.On(tape), b.On(tape)), tape.Constant(y));
            var loss = tape.Mean(tape.Multiply(r, r));
            tape.Backward(loss);
            return loss.Value[0];
        });
        int dim = k * d + k;
        var h = new double[dim, dim];
        int Index(int cls, int feature) => feature < d ? cls * d + feature : k * d + cls;
        for (int s = 0; s < n; s++)
            for (int c = 0; c < k; c++)
                for (int f1 = 0; f1 <= d; f1++)
                    for (int f2 = 0; f2 <= d; f2++)
                        h[Index(c, f1), Index(c, f2)] += 2.0 / (n * k) * (f1 < d ? x[s * d + f1] : 1) * (f2 < d ? x[s * d + f2] : 1);
        var v = RandomVector(dim, 5);
        AssertClose(Times(h, v), hvp.Multiply(v), 1e-8);
    }

    [Fact]
    public void TinyBatchNormMlpMatchesHessianFromSecondDifferencesOfTheLoss()
    {
        // Full Hessian from loss values only (no gradients): H_ij ≈ [L(++) − L(+−) − L(−+) + L(−−)]/(4h²).
        var model = new Mlp<double>(new MlpConfig(Inputs: 3, Hidden: 4, Depth: 1, Classes: 3), seed: 3) { UpdateRunningStatistics = false };
        var x = GradientCheck.Random(4, 1, 8, 3);
        int[] labels = [0, 1, 2, 1, 0, 2, 2, 1];
        var tape = new Tape<double>();
        var eval = new Tape<double>(recordGradients: false);
        var ps = model.Parameters;
        var hvp = new HessianVectorProduct(ps, () =>
        {
            tape.Reset();
            var loss = model.Loss(tape, x, labels);
            tape.Backward(loss);
            return loss.Value[0];
        });
        double Loss() { eval.Reset(); return model.Loss(eval, x, labels).Value[0]; }
        var theta = ps.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        int dim = theta.Length;
        void Set(double[] t) { int o = 0; foreach (var p in ps) for (int i = 0; i < p.Length; i++) p.Value[i] = t[o++]; }
        double hStep = 1e-4;
        var hess = new double[dim, dim];
        var th = (double[])theta.Clone();
        for (int i = 0; i < dim; i++)
            for (int j = i; j < dim; j++)
            {
                double L(double si, double sj) { th[i] += si; th[j] += sj; Set(th); double l = Loss(); th[i] = theta[i]; th[j] = theta[j]; return l; }
                hess[i, j] = hess[j, i] = (L(hStep, hStep) - L(hStep, -hStep) - L(-hStep, hStep) + L(-hStep, -hStep)) / (4 * hStep * hStep);
            }
        Set(theta);
        for (int trial = 0; trial < 2; trial++)
        {
            var v = RandomVector(dim, 20 + trial);
            AssertClose(Times(hess, v), hvp.Multiply(v), 2e-5);
        }
        // θ is restored exactly.
        Assert.Equal(theta, ps.SelectMany(p => p.Value.Span.ToArray()).ToArray());
    }

    [Fact]
    public void TinyGptHessianIsSymmetric()
    {
        var model = new Gpt<double>(new GptConfig(VocabSize: 7, BlockSize: 4, Layers: 1, Heads: 2, Embedding: 4), seed: 5);
        int[] tokens = [1, 2, 3, 4, 6, 5, 0, 1]; int[] targets = [2, 3, 4, 5, 5, 0, 1, 2];
        var tape = new Tape<double>();
        var hvp = new HessianVectorProduct(model.Parameters, () =>
        {
            tape.Reset();
            var loss = model.Loss(tape, tokens, targets, 2, 4);
            tape.Backward(loss);
            return loss.Value[0];
        });
        var u = RandomVector(hvp.Dimension, 1); var v = RandomVector(hvp.Dimension, 2);
        var hu = hvp.Multiply(u); var hv = hvp.Multiply(v);
        double uhv = u.Zip(hv, (a, b) => a * b).Sum(), vhu = v.Zip(hu, (a, b) => a * b).Sum();
        Assert.True(Math.Abs(uhv - vhu) <= 1e-7 * Math.Max(1, Math.Abs(uhv)), $"{uhv} vs {vhu}");
        Assert.True(Math.Abs(uhv) > 1e-6); // non-trivial curvature
    }
}

public class ModelHessiansTests
{
    [Fact]
    public void MlpOperatorMatchesSecondDirectionalDifferenceOfTheFloat64Loss()
    {
        var model = new Mlp<float>(new MlpConfig(Inputs: 5, Hidden: 6, Depth: 2, Classes: 3), seed: 4);
        var x = new Tensor<float>(10, 5);
        var rng = new Random(5);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        int[] labels = Enumerable.Range(0, 10).Select(i => i % 3).ToArray();
        var hvp = ModelHessians.ForMlp(model, x, labels);
        var runningBefore = model.Norms[0].RunningMean.Span.ToArray();
        var u = GradientCheck.Random(1, 1, hvp.Dimension).Span.ToArray();
        var v = GradientCheck.Random(2, 1, hvp.Dimension).Span.ToArray();
        double uhv = u.Zip(hvp.Multiply(v), (a, b) => a * b).Sum();
        // uᵀHv from loss values only, on an independent float64 twin.
        var twin = new Mlp<double>(model.Config, seed: 0) { UpdateRunningStatistics = false };
        twin.CopyFrom(model);
        var xd = new Tensor<double>(10, 5);
        for (int i = 0; i < x.Length; i++) xd[i] = x[i];
        var theta = twin.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        double L(double a, double b)
        {
            int o = 0;
            foreach (var p in twin.Parameters) for (int i = 0; i < p.Length; i++, o++) p.Value[i] = theta[o] + a * u[o] + b * v[o];
            return twin.Loss(new Tape<double>(false), xd, labels).Value[0];
        }
        double D(double h) => (L(h, h) - L(h, -h) - L(-h, h) + L(-h, -h)) / (4 * h * h);
        double expected = (4 * D(5e-5) - D(1e-4)) / 3; // Richardson: cancels the h² term
        Assert.True(Math.Abs(expected - uhv) <= 1e-6 * Math.Abs(expected), $"{expected:R} vs {uhv:R}");
        Assert.Equal(runningBefore, model.Norms[0].RunningMean.Span.ToArray());
    }

    [Fact]
    public void GptOperatorHasTheModelsDimension()
    {
        var model = new Gpt<float>(new GptConfig(VocabSize: 5, BlockSize: 3, Layers: 1, Heads: 1, Embedding: 4, Dropout: 0.2), seed: 1);
        var hvp = ModelHessians.ForGpt(model, [1, 2, 3], [2, 3, 4], 1, 3);
        Assert.Equal((int)model.ParameterCount, hvp.Dimension);
        var e = new double[hvp.Dimension]; e[0] = 1;
        Assert.All(hvp.Multiply(e), x => Assert.True(double.IsFinite(x)));
    }
}
