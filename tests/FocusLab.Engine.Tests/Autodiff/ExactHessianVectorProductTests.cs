using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Kernels;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>Whole-model exact HVPs (MLP with BatchNorm, GPT) and the tangent mode's contract.</summary>
public class ExactHessianVectorProductTests
{
    private static readonly GptConfig SmallGpt = new(VocabSize: 11, BlockSize: 6, Layers: 2, Heads: 2, Embedding: 8);
    private static readonly MlpConfig SmallMlp = new(Inputs: 7, Hidden: 9, Depth: 2, Classes: 4);

    private static double[] RandomVector(int n, int seed) => GradientCheck.Random(seed, 1, n).Span.ToArray();

    private static (int[] Tokens, int[] Targets) Text(int seed, int batch, GptConfig config)
    {
        var rng = new Random(seed);
        int n = batch * config.BlockSize;
        return (Enumerable.Range(0, n).Select(_ => rng.Next(config.VocabSize)).ToArray(), Enumerable.Range(0, n).Select(_ => rng.Next(config.VocabSize)).ToArray());
    }

    private static (Tensor<double> X, int[] Labels) Batch(int seed, int rows, MlpConfig config)
    {
        var x = GradientCheck.Random(seed, 1.5, rows, config.Inputs);
        return (x, Enumerable.Range(0, rows).Select(i => (i * 7 + seed) % config.Classes).ToArray());
    }

    private static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }

    private static double RelativeError(double[] expected, double[] actual)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++) { num += (expected[i] - actual[i]) * (expected[i] - actual[i]); den += expected[i] * expected[i]; }
        return Math.Sqrt(num / den);
    }

    private static HessianVectorProduct Richardson<T>(IReadOnlyList<ParameterTensor<double>> ps, Func<Tape<double>, Variable<double>> loss)
    {
        var tape = new Tape<double>();
        return new HessianVectorProduct(ps, () => { tape.Reset(); var l = loss(tape); tape.Backward(l); return l.Value[0]; });
    }

    [Fact]
    public void GptFloat64MatchesRichardsonAndIsSymmetric()
    {
        var model = new Gpt<double>(SmallGpt, seed: 3);
        var (tokens, targets) = Text(1, 2, SmallGpt);
        var exact = ModelHessians.ExactForGpt(model, tokens, targets, 2, SmallGpt.BlockSize);
        var reference = Richardson<double>(model.Parameters, t => model.Loss(t, tokens, targets, 2, SmallGpt.BlockSize));
        var u = RandomVector(exact.Dimension, 1); var v = RandomVector(exact.Dimension, 2);
        var hv = exact.Multiply(v); var hu = exact.Multiply(u);
        double err = RelativeError(reference.Multiply(v), hv);
        Assert.True(err < 1e-7, $"exact vs Richardson relative error {err:E2}");
        double uhv = Dot(u, hv), vhu = Dot(v, hu);
        Assert.True(Math.Abs(uhv - vhu) <= 1e-12 * Math.Abs(uhv), $"uᵀHv {uhv:R} vs vᵀHu {vhu:R}");
        Assert.True(Math.Abs(uhv) > 1e-4, "non-trivial curvature");
    }

    [Fact]
    public void GptWithDropoutMatchesRichardsonForTheSameMasks()
    {
        // Training mode with dropout: the masks depend on (seed, pass counter); pinning the counter
        // makes the loss a deterministic function of θ, so both methods see the same masks.
        var model = new Gpt<double>(SmallGpt with { Dropout = 0.3, Layers = 1 }, seed: 4) { Training = true };
        var (tokens, targets) = Text(2, 2, SmallGpt);
        Variable<double> Loss(Tape<double> t) { model.ForwardPasses = 17; return model.Loss(t, tokens, targets, 2, SmallGpt.BlockSize); }
        var exact = new ExactHessianVectorProduct<double>(model.Parameters, Loss);
        var v = RandomVector(exact.Dimension, 3);
        double err = RelativeError(Richardson<double>(model.Parameters, Loss).Multiply(v), exact.Multiply(v));
        Assert.True(err < 1e-7, $"relative error {err:E2}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MlpFloat64MatchesRichardsonInTrainAndEvalModeWithoutTouchingRunningStatistics(bool training)
    {
        var model = new Mlp<double>(SmallMlp, seed: 5);
        var (x, labels) = Batch(6, 12, SmallMlp);
        // Give the running statistics non-trivial values with a few ordinary training passes.
        for (int i = 0; i < 3; i++) { var t = new Tape<double>(); t.Backward(model.Loss(t, x, labels)); }
        model.ZeroGrad();
        model.Training = training;
        var stats = model.State.SelectMany(s => s.Span.ToArray()).ToArray();
        var exact = ModelHessians.ExactForMlp(model, x, labels);
        var v = RandomVector(exact.Dimension, 7);
        var hv = exact.Multiply(v);
        Assert.Equal(stats, model.State.SelectMany(s => s.Span.ToArray()).ToArray());
        model.UpdateRunningStatistics = false; // the finite-difference reference must not move them either
        double err = RelativeError(Richardson<double>(model.Parameters, t => model.Loss(t, x, labels)).Multiply(v), hv);
        Assert.True(err < 1e-7, $"relative error {err:E2}");
    }

    [Fact]
    public void Float32ProductsAgreeWithFloat64OnGptAndMlp()
    {
        var gpt64 = new Gpt<double>(SmallGpt with { Embedding = 16, BlockSize = 8 }, seed: 8);
        var gpt32 = new Gpt<float>(gpt64.Config, seed: 0);
        gpt32.CopyFrom(gpt64);
        gpt64.CopyFrom(gpt32); // both hold the same float32-representable values
        var (tokens, targets) = Text(3, 4, gpt64.Config);
        Compare(ModelHessians.ExactForGpt(gpt64, tokens, targets, 4, 8), ModelHessians.ExactForGpt(gpt32, tokens, targets, 4, 8), 9);

        var mlp64 = new Mlp<double>(SmallMlp with { Hidden = 32 }, seed: 9);
        var mlp32 = new Mlp<float>(mlp64.Config, seed: 0);
        mlp32.CopyFrom(mlp64);
        mlp64.CopyFrom(mlp32);
        var (x, labels) = Batch(10, 64, mlp64.Config);
        var x32 = new Tensor<float>(x.Shape);
        for (int i = 0; i < x.Length; i++) { x32[i] = (float)x[i]; x[i] = x32[i]; }
        Compare(ModelHessians.ExactForMlp(mlp64, x, labels), ModelHessians.ExactForMlp(mlp32, x32, labels), 10);

        static void Compare(ExactHessianVectorProduct<double> reference, ExactHessianVectorProduct<float> fast, int seed)
        {
            var v = RandomVector(reference.Dimension, seed);
            var hv64 = reference.Multiply(v);
            var hv32 = fast.Multiply(v.Select(x => (float)x).ToArray());
            double err = RelativeError(hv64, hv32.Select(x => (double)x).ToArray());
            Assert.True(err < 1e-4, $"float32 vs float64 relative error {err:E2}");
        }
    }

    [Fact]
    public void GradientIsBitIdenticalWithTangentsOnOrOffAndTangentOffCarriesNoTangents()
    {
        var model = new Gpt<float>(SmallGpt, seed: 11);
        var (tokens, targets) = Text(4, 3, SmallGpt);
        var tape = new Tape<float>();
        var loss = model.Loss(tape, tokens, targets, 3, SmallGpt.BlockSize);
        tape.Backward(loss);
        Assert.Null(loss.Tangent);
        Assert.Null(loss.GradTangent);
        var plain = model.Parameters.SelectMany(p => p.Grad.Span.ToArray()).ToArray();
        model.ZeroGrad();

        var exact = ModelHessians.ExactForGpt(model, tokens, targets, 3, SmallGpt.BlockSize);
        var byProduct = new float[exact.Dimension];
        float l = exact.Multiply(new float[exact.Dimension], new float[exact.Dimension], byProduct);
        Assert.Equal(loss.Value[0], l);
        Assert.Equal(plain, byProduct);
        // The parameters' gradient buffers are left as they were (zero here).
        Assert.All(model.Parameters, p => Assert.All(p.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
        // And an ordinary pass afterwards is unchanged.
        tape.Reset();
        tape.Backward(model.Loss(tape, tokens, targets, 3, SmallGpt.BlockSize));
        Assert.Equal(plain, model.Parameters.SelectMany(p => p.Grad.Span.ToArray()).ToArray());
    }

    [Fact]
    public void ZeroDirectionGivesZeroAndProductIsLinear()
    {
        var model = new Mlp<double>(SmallMlp, seed: 12);
        var (x, labels) = Batch(13, 10, SmallMlp);
        var exact = ModelHessians.ExactForMlp(model, x, labels);
        Assert.All(exact.Multiply(new double[exact.Dimension]), h => Assert.Equal(0.0, h));
        var u = RandomVector(exact.Dimension, 1); var v = RandomVector(exact.Dimension, 2);
        var sum = exact.Multiply(u.Zip(v, (a, b) => 2 * a - b).ToArray());
        var hu = exact.Multiply(u); var hv = exact.Multiply(v);
        Assert.True(RelativeError(hu.Zip(hv, (a, b) => 2 * a - b).ToArray(), sum) < 1e-13);
    }

    [Fact]
    public void AnOperationWithoutATangentRuleThrowsNamingIt()
    {
        var p = new ParameterTensor<double>("p", 3);
        var exact = new ExactHessianVectorProduct<double>([p], tape =>
        {
            var x = p.On(tape);
            var y = tape.Output(x.Shape, true); // an operation that records a backward step but no tangent rule
            x.Value.Span.CopyTo(y.Value.Span);
            tape.Record(() => { }, "Mystery");
            return tape.Sum(y);
        });
        var e = Assert.Throws<NotSupportedException>(() => exact.Multiply(new double[3]));
        Assert.Contains("Mystery", e.Message);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var p = new ParameterTensor<double>("p", 3);
        Assert.Throws<ArgumentException>(() => new ExactHessianVectorProduct<double>([p, p], t => t.Sum(p.On(t))));
        var exact = new ExactHessianVectorProduct<double>([p], t => t.Sum(p.On(t)));
        Assert.Contains("parameter count", Assert.Throws<ArgumentException>(() => exact.Multiply(new double[2])).Message);
        var constant = new ExactHessianVectorProduct<double>([p], t => t.Sum(t.Constant(p.Value)));
        Assert.Contains("does not depend", Assert.Throws<InvalidOperationException>(() => constant.Multiply(new double[3])).Message);
        Assert.Throws<InvalidOperationException>(() => new Tape<double>(recordGradients: false) { TangentMode = true });
    }
}

[Collection("Global engine settings")]
public class ExactHessianVectorProductDeterminismTests
{
    [Fact]
    public void GptProductIsBitwiseIdenticalForOneOrManyThreads()
    {
        // Large enough that every kernel splits its work (GELU 131k elements, 32 attention heads).
        var config = new GptConfig(VocabSize: 64, BlockSize: 32, Layers: 1, Heads: 2, Embedding: 64);
        var model = new Gpt<float>(config, seed: 2);
        var rng = new Random(3);
        int[] tokens = Enumerable.Range(0, 16 * 32).Select(_ => rng.Next(64)).ToArray();
        var exact = ModelHessians.ExactForGpt(model, tokens, tokens.Select(t => (t * 5 + 1) % 64).ToArray(), 16, 32);
        var v = Enumerable.Range(0, exact.Dimension).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var previous = Gemm.Backend;
        try
        {
            Gemm.UseBackend(new ManagedGemm());
            Parallelism.MaxDegreeOfParallelism = 1;
            var one = exact.Multiply(v);
            Parallelism.MaxDegreeOfParallelism = -1;
            var all = exact.Multiply(v);
            Assert.Equal(one, all);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = -1;
            Gemm.UseBackend(previous);
        }
    }
}
