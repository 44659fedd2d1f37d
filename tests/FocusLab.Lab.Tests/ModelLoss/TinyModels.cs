using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Tests.ModelLoss;

/// <summary>Tiny engine models on fixed random batches, plus independent double-precision references.</summary>
internal static class TinyModels
{
    public static readonly MlpConfig MlpSizes = new(Inputs: 4, Hidden: 3, Depth: 1, Classes: 3);
    public static readonly GptConfig GptSizes = new(VocabSize: 7, BlockSize: 4, Layers: 1, Heads: 2, Embedding: 4);

    public static (Mlp<float> Model, MlpModelLoss Loss, Tensor<float> X, int[] Y) Mlp(int seed = 1, int batch = 6)
    {
        var model = new Mlp<float>(MlpSizes, seed);
        var rng = new Random(seed + 100);
        var x = new Tensor<float>(batch, MlpSizes.Inputs);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = Enumerable.Range(0, batch).Select(_ => rng.Next(MlpSizes.Classes)).ToArray();
        return (model, new MlpModelLoss(model, x, y), x, y);
    }

    public static (Gpt<float> Model, GptModelLoss Loss, int[] Tokens, int[] Targets) Gpt(int seed = 1, int batch = 2)
    {
        var model = new Gpt<float>(GptSizes, seed);
        // Larger weights than GPT-2's N(0, 0.02) so the attention and GELU are far from linear.
        var rng = new Random(seed + 7);
        foreach (var p in model.Parameters)
            for (int i = 0; i < p.Length; i++) p.Value[i] += (float)(0.3 * (rng.NextDouble() * 2 - 1));
        int n = batch * GptSizes.BlockSize;
        var tokens = Enumerable.Range(0, n).Select(_ => rng.Next(GptSizes.VocabSize)).ToArray();
        var targets = Enumerable.Range(0, n).Select(_ => rng.Next(GptSizes.VocabSize)).ToArray();
        return (model, new GptModelLoss(model, tokens, targets, batch, GptSizes.BlockSize), tokens, targets);
    }

    /// <summary>Double twin's loss (training-mode BatchNorm without running-statistics updates) as a function of its parameter values.</summary>
    public static Func<double> MlpDoubleLoss(Mlp<double> twin, Tensor<float> x, int[] y)
    {
        twin.Training = true;
        twin.UpdateRunningStatistics = false;
        var xd = new Tensor<double>(x.Shape);
        for (int i = 0; i < x.Length; i++) xd[i] = x[i];
        var tape = new Tape<double>(recordGradients: false);
        return () => { tape.Reset(); return twin.Loss(tape, xd, y).Value[0]; };
    }

    public static double[] Flat(IReadOnlyList<ParameterTensor<double>> ps) => ps.SelectMany(p => p.Value.Span.ToArray()).ToArray();

    public static void SetFlat(IReadOnlyList<ParameterTensor<double>> ps, double[] theta)
    {
        int o = 0;
        foreach (var p in ps) { theta.AsSpan(o, p.Length).CopyTo(p.Value.Span); o += p.Length; }
    }

    /// <summary>Explicit Hessian by central differences of a double model's reverse-mode gradients, column by column.</summary>
    public static double[,] HessianFromGradients(IReadOnlyList<ParameterTensor<double>> ps, Func<double> lossAndGradient, double h = 1e-5)
    {
        var theta = Flat(ps);
        int d = theta.Length;
        var hm = new double[d, d];
        double[] Grad(double[] t)
        {
            SetFlat(ps, t);
            foreach (var p in ps) p.Grad.Clear();
            lossAndGradient();
            return ps.SelectMany(p => p.Grad.Span.ToArray()).ToArray();
        }
        for (int j = 0; j < d; j++)
        {
            var plus = (double[])theta.Clone(); plus[j] += h;
            var minus = (double[])theta.Clone(); minus[j] -= h;
            var gp = Grad(plus); var gm = Grad(minus);
            for (int i = 0; i < d; i++) hm[i, j] = (gp[i] - gm[i]) / (2 * h);
        }
        SetFlat(ps, theta);
        return hm;
    }

    public static double[] Times(double[,] m, float[] v)
    {
        int d = v.Length;
        var r = new double[d];
        for (int i = 0; i < d; i++) { double s = 0; for (int j = 0; j < d; j++) s += m[i, j] * v[j]; r[i] = s; }
        return r;
    }

    /// <summary>The adapter's H·v equals the explicit Hessian times v (to 1e-5 of the largest entry) for seeded random directions.</summary>
    public static void AssertProductsMatch(FocusLab.Lab.Diagnostics.IModelHessian loss, double[,] hm, int directions, int firstSeed)
    {
        int d = loss.Layout.Count;
        for (int seed = 0; seed < directions; seed++)
        {
            var v = RandomVector(d, firstSeed + seed);
            var hv = new float[d];
            loss.HessianVectorProduct(v, hv);
            var expected = Times(hm, v);
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < d; i++)
                Assert.True(Math.Abs(expected[i] - hv[i]) < 1e-5 * scale, $"row {i}: explicit {expected[i]}, adapter {hv[i]}");
        }
    }

    public static float[] RandomVector(int d, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, d).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }
}
