using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Tensors;
using FocusLab.Engine.Tests.Autodiff;

namespace FocusLab.Engine.Tests.Models;

public class ModelTests
{
    [Fact]
    public void MlpHasTheFocusArchitectureAndNaming()
    {
        var mlp = new Mlp<float>(new MlpConfig(), seed: 1);
        var names = mlp.Parameters.Select(p => p.Name).ToList();
        Assert.Equal(24, names.Count);
        Assert.Equal("layers.0.bn.weight", names[0]);
        Assert.Equal([128, 784], mlp.Parameters.Single(p => p.Name == "layers.0.fc.weight").Shape);
        Assert.Equal([10, 128], mlp.Parameters.Single(p => p.Name == "head.weight").Shape);
        Assert.Equal([128], mlp.Parameters.Single(p => p.Name == "final_bn.bias").Shape);
        long expected = 2 * 784 + 784 * 128 + 128 + 4 * (2 * 128 + 128 * 128 + 128) + 2 * 128 + 128 * 10 + 10;
        Assert.Equal(expected, mlp.ParameterCount);
        // Weight decay only on the six Linear matrices.
        Assert.Equal(6, mlp.Parameters.Count(p => p.WeightDecay));
        Assert.All(mlp.Parameters.Where(p => p.WeightDecay), p => Assert.EndsWith(".weight", p.Name));
        Assert.All(mlp.Parameters.Where(p => p.Name.Contains("bn") || p.Name.EndsWith(".bias")), p => Assert.False(p.WeightDecay));
    }

    [Fact]
    public void GptHasNanoGptLayoutWithTiedHead()
    {
        var gpt = new Gpt<float>(new GptConfig(), seed: 1);
        Assert.Equal("wte.weight", gpt.Parameters[0].Name);
        Assert.DoesNotContain(gpt.Parameters, p => p.Name.EndsWith(".bias"));
        Assert.DoesNotContain(gpt.Parameters, p => p.Name.Contains("lm_head")); // tied to wte
        long c = 128;
        long expected = 256 * c + 64 * c + 4 * (c + 3 * c * c + c * c + c + 4 * c * c + 4 * c * c) + c;
        Assert.Equal(expected, gpt.ParameterCount);
    }

    [Fact]
    public void MlpGradientMatchesFiniteDifferencesInDouble()
    {
        var mlp = new Mlp<double>(new MlpConfig(Inputs: 4, Hidden: 3, Depth: 2, Classes: 3), seed: 2) { UpdateRunningStatistics = false };
        var x = GradientCheck.Random(1, 1, 6, 4);
        CheckModel(mlp.Parameters, t => mlp.Loss(t, x, [0, 1, 2, 2, 1, 0]));
    }

    [Fact]
    public void GptGradientMatchesFiniteDifferencesInDouble()
    {
        var gpt = new Gpt<double>(new GptConfig(VocabSize: 6, BlockSize: 5, Layers: 2, Heads: 2, Embedding: 4), seed: 3);
        CheckModel(gpt.Parameters, t => gpt.Loss(t, [1, 2, 3, 4, 5, 0, 1, 1], [2, 3, 4, 5, 0, 1, 1, 2], 2, 4));
    }

    private static void CheckModel(IReadOnlyList<FocusLab.Engine.Nn.ParameterTensor<double>> ps, Func<Tape<double>, Variable<double>> loss)
    {
        var tape = new Tape<double>();
        foreach (var p in ps) p.Grad.Clear();
        tape.Backward(loss(tape));
        var eval = new Tape<double>(recordGradients: false);
        double h = 1e-6;
        foreach (var p in ps)
            for (int i = 0; i < p.Length; i++)
            {
                double saved = p.Value[i];
                p.Value[i] = saved + h; eval.Reset(); double plus = loss(eval).Value[0];
                p.Value[i] = saved - h; eval.Reset(); double minus = loss(eval).Value[0];
                p.Value[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - p.Grad[i]) <= 1e-7 * Math.Max(1, Math.Abs(numeric)), $"{p.Name}[{i}]: {p.Grad[i]:R} vs {numeric:R}");
            }
    }

    [Fact]
    public void FloatGptAgreesWithDoubleGpt()
    {
        var config = new GptConfig(VocabSize: 32, BlockSize: 24, Layers: 2, Heads: 4, Embedding: 32); // 24 > one attention row block
        var f = new Gpt<float>(config, seed: 4);
        var d = new Gpt<double>(config, seed: 4);
        d.CopyFrom(f);
        var rng = new Random(5);
        int[] tokens = Enumerable.Range(0, 3 * 24).Select(_ => rng.Next(32)).ToArray();
        int[] targets = Enumerable.Range(0, 3 * 24).Select(_ => rng.Next(32)).ToArray();
        var tf = new Tape<float>(); var td = new Tape<double>();
        var lf = f.Loss(tf, tokens, targets, 3, 24); tf.Backward(lf);
        var ld = d.Loss(td, tokens, targets, 3, 24); td.Backward(ld);
        Assert.Equal(ld.Value[0], lf.Value[0], 1e-5);
        for (int p = 0; p < f.Parameters.Count; p++)
        {
            var gf = f.Parameters[p].Grad; var gd = d.Parameters[p].Grad;
            double scale = gd.Span.ToArray().Max(Math.Abs);
            for (int i = 0; i < gf.Length; i++)
                Assert.True(Math.Abs(gf[i] - gd[i]) <= 2e-4 * scale + 1e-7, $"{f.Parameters[p].Name}[{i}] {gf[i]} vs {gd[i]}");
        }
    }

    [Fact]
    public void FloatMlpAgreesWithDoubleMlpInTrainAndEvalModes()
    {
        var config = new MlpConfig(Inputs: 20, Hidden: 16, Depth: 2, Classes: 5);
        var f = new Mlp<float>(config, seed: 6);
        var d = new Mlp<double>(config, seed: 6);
        var xd = GradientCheck.Random(7, 2, 33, 20);
        var xf = new Tensor<float>(33, 20);
        for (int i = 0; i < xd.Length; i++) xf[i] = (float)xd[i];
        int[] labels = Enumerable.Range(0, 33).Select(i => i % 5).ToArray();
        foreach (bool training in new[] { true, false })
        {
            f.Training = training; d.Training = training;
            d.CopyFrom(f);
            var lf = f.Loss(new Tape<float>(false), xf, labels).Value[0];
            var ld = d.Loss(new Tape<double>(false), xd, labels).Value[0];
            Assert.Equal(ld, lf, 1e-5);
        }
    }

    [Fact]
    public void GptIsCausal()
    {
        var gpt = new Gpt<double>(new GptConfig(VocabSize: 10, BlockSize: 6, Layers: 1, Heads: 2, Embedding: 8), seed: 8);
        int[] a = [1, 2, 3, 4, 5, 6]; int[] b = [1, 2, 3, 9, 0, 0];
        var la = gpt.Forward(new Tape<double>(false), a, 1, 6).Value.Span.ToArray();
        var lb = gpt.Forward(new Tape<double>(false), b, 1, 6).Value.Span.ToArray();
        for (int i = 0; i < 3 * 10; i++) Assert.Equal(la[i], lb[i], 12);
        Assert.NotEqual(la[3 * 10], lb[3 * 10]);
    }

    [Fact]
    public void BatchNormUpdatesRunningStatisticsAndUsesThemInEvaluation()
    {
        var mlp = new Mlp<double>(new MlpConfig(Inputs: 2, Hidden: 2, Depth: 1, Classes: 2), seed: 9);
        var x = Tensor<double>.FromArray([1, 10, 3, 20, 5, 60], 3, 2);
        mlp.Forward(new Tape<double>(false), x);
        var bn = mlp.Norms[0];
        // Mean (3, 30), unbiased variance (4, 700): running = 0.9·(0, 1) + 0.1·batch.
        Assert.Equal(0.3, bn.RunningMean[0], 12); Assert.Equal(3.0, bn.RunningMean[1], 12);
        Assert.Equal(0.9 + 0.4, bn.RunningVar[0], 12); Assert.Equal(0.9 + 70, bn.RunningVar[1], 12);
        // Evaluation is a fixed affine map per row: a single row gives the same output as inside a batch.
        mlp.Training = false;
        var batch = mlp.Forward(new Tape<double>(false), x).Value.Span.ToArray();
        var single = mlp.Forward(new Tape<double>(false), Tensor<double>.FromArray([3, 20], 1, 2)).Value.Span.ToArray();
        Assert.Equal(batch[2], single[0], 12); Assert.Equal(batch[3], single[1], 12);
    }

    [Fact]
    public void TrainingIsDeterministicAndReducesTheLoss()
    {
        double[] Run()
        {
            var gpt = new Gpt<float>(new GptConfig(VocabSize: 16, BlockSize: 8, Layers: 1, Heads: 2, Embedding: 16, Dropout: 0.1), seed: 11);
            var tape = new Tape<float>();
            int[] tokens = Enumerable.Range(0, 32).Select(i => i % 16).ToArray();
            int[] targets = tokens.Select(t => (t + 1) % 16).ToArray();
            var losses = new List<double>();
            for (int step = 0; step < 60; step++)
            {
                tape.Reset();
                gpt.ZeroGrad();
                var loss = gpt.Loss(tape, tokens, targets, 4, 8);
                tape.Backward(loss);
                losses.Add(loss.Value[0]);
                foreach (var p in gpt.Parameters)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad.Span, -0.5f, p.Value.Span, p.Value.Span);
            }
            return losses.ToArray();
        }
        var a = Run(); var b = Run();
        Assert.Equal(a, b);
        Assert.True(a[^1] < 0.5 * a[0], $"loss {a[0]} -> {a[^1]}");
    }
}

public class OptimIntegrationTests
{
    [Fact]
    public void OptimParametersShareBuffersAndAdamWTrainsTheMlp()
    {
        var mlp = new Mlp<float>(new MlpConfig(Inputs: 8, Hidden: 16, Depth: 2, Classes: 3), seed: 1);
        var ps = FocusLab.Engine.Nn.OptimParameters.OptimParameterList(mlp);
        Assert.Same(ps[0], FocusLab.Engine.Nn.OptimParameters.OptimParameterList(mlp)[0]);
        Assert.Equal(mlp.Parameters.Select(p => p.Name), ps.Select(p => p.Name));
        ps[2].DataSpan[0] = 42f;
        Assert.Equal(42f, mlp.Parameters[2].Value[0]);
        var groups = FocusLab.Engine.Nn.OptimParameters.WeightDecayGroups(mlp, 0.01);
        Assert.Equal(3, groups[0].Parameters.Count);
        Assert.All(groups[1].Parameters, p => Assert.True(p.Name.EndsWith(".bias") || p.Name.Contains("bn")));
        var opt = FocusLab.Optim.OptimizerFactory.Create("adamw:lr=0.01", groups);
        Assert.Equal(0.0, opt.Groups[1].Get("weight_decay"));
        var rng = new Random(2);
        var x = new FocusLab.Engine.Tensors.Tensor<float>(64, 8);
        var labels = new int[64];
        for (int i = 0; i < 64; i++)
        {
            labels[i] = i % 3;
            for (int j = 0; j < 8; j++) x[i * 8 + j] = (float)(rng.NextDouble() - 0.5) + (j == labels[i] ? 1.5f : 0f);
        }
        var tape = new Tape<float>();
        double first = 0, last = 0;
        for (int step = 0; step < 80; step++)
        {
            tape.Reset();
            opt.ZeroGrad();
            var loss = mlp.Loss(tape, x, labels);
            tape.Backward(loss);
            opt.Step();
            if (step == 0) first = loss.Value[0];
            last = loss.Value[0];
        }
        Assert.True(last < 0.2 * first, $"{first} -> {last}");
    }
}
