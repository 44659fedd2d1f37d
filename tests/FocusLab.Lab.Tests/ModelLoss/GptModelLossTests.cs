using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Tests.ModelLoss;

public class GptModelLossTests
{
    [Fact]
    public void Gradient_equals_the_engine_gradient_bit_for_bit()
    {
        var (model, loss, tokens, targets) = TinyModels.Gpt();
        var g = new float[loss.Layout.Count];
        double l = loss.LossAndGradient(g);
        model.ZeroGrad();
        var tape = new Tape<float>();
        var v = model.Loss(tape, tokens, targets, 2, TinyModels.GptSizes.BlockSize);
        tape.Backward(v);
        Assert.Equal((double)v.Value[0], l);
        Assert.Equal(model.Parameters.SelectMany(p => p.Grad.Span.ToArray()).ToArray(), g);
    }

    [Fact]
    public void Float_and_double_gradients_agree()
    {
        var (_, loss, _, _) = TinyModels.Gpt(seed: 2);
        int d = loss.Layout.Count;
        var g = new float[d];
        var gd = new double[d];
        double lf = loss.LossAndGradient(g), ld = loss.LossAndGradientDouble(gd);
        Assert.Equal(ld, lf, 4);
        double scale = gd.Max(Math.Abs);
        for (int i = 0; i < d; i++) Assert.True(Math.Abs(gd[i] - g[i]) < 1e-4 * scale, $"parameter {i}: double {gd[i]}, float {g[i]}");
    }

    [Fact]
    public void Hvp_agrees_with_an_explicit_finite_difference_hessian()
    {
        var (model, loss, tokens, targets) = TinyModels.Gpt(seed: 3);
        var twin = new Gpt<double>(model.Config, 0);
        twin.CopyFrom(model);
        var tape = new Tape<double>();
        var hm = TinyModels.HessianFromGradients(twin.Parameters, () =>
        {
            tape.Reset();
            var l = twin.Loss(tape, tokens, targets, 2, TinyModels.GptSizes.BlockSize);
            tape.Backward(l);
            return l.Value[0];
        });
        int d = loss.Layout.Count;
        double asym = 0, mag = 0;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) { asym = Math.Max(asym, Math.Abs(hm[i, j] - hm[j, i])); mag = Math.Max(mag, Math.Abs(hm[i, j])); }
        Assert.True(asym < 1e-6 * mag, $"explicit Hessian asymmetry {asym} vs magnitude {mag}");
        TinyModels.AssertProductsMatch(loss, hm, directions: 2, firstSeed: 30);
    }

    [Fact]
    public void Measurements_leave_parameters_and_dropout_counter_untouched()
    {
        var model = new Gpt<float>(TinyModels.GptSizes with { Dropout = 0.1 }, 5);
        int n = 2 * TinyModels.GptSizes.BlockSize;
        var tokens = Enumerable.Range(0, n).Select(i => i % 7).ToArray();
        var targets = Enumerable.Range(0, n).Select(i => (i * 3 + 1) % 7).ToArray();
        var loss = new GptModelLoss(model, tokens, targets, 2, TinyModels.GptSizes.BlockSize);
        var before = model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        long passes = model.ForwardPasses;

        var objective = new ModelObjective(loss);
        var x = objective.CheckpointPoint();
        var u = TinyModels.RandomVector(x.Length, 9).Select(v => (double)v).ToArray();
        double l0 = objective.Loss(x);
        DirectionalSharpness.Measure(objective, objective, x, u);
        LineSearch.Run(objective, x, u);

        Assert.Equal(before, model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray());
        Assert.Equal(passes, model.ForwardPasses);
        Assert.True(model.Training);
        Assert.Equal(l0, objective.Loss(x)); // evaluation mode: no dropout, so the loss is a function of θ
    }

    [Fact]
    public void Bad_batches_are_refused_with_the_reason()
    {
        var model = new Gpt<float>(TinyModels.GptSizes, 1);
        Assert.Contains("block_size", Assert.Throws<ArgumentException>(() => new GptModelLoss(model, new int[10], new int[10], 2, 5)).Message);
        Assert.Contains("vocabulary", Assert.Throws<ArgumentException>(() => new GptModelLoss(model, [9, 0, 0, 0], [0, 0, 0, 0], 1, 4)).Message);
    }
}
