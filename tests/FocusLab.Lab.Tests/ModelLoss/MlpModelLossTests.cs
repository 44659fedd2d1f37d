using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Tests.ModelLoss;

public class MlpModelLossTests
{
    [Fact]
    public void Layout_follows_the_model_parameters()
    {
        var (model, loss, _, _) = TinyModels.Mlp();
        Assert.Equal((int)model.ParameterCount, loss.Layout.Count);
        Assert.Equal(model.Parameters.Select(p => p.Name), loss.Layout.Tensors.Select(t => t.Name));
        var flat = new float[loss.Layout.Count];
        loss.ReadParameters(flat);
        var head = loss.Layout.Tensors.Single(t => t.Name == "head.weight");
        Assert.Equal(model.Parameters.Single(p => p.Name == "head.weight").Value[0], flat[head.Offset]);
    }

    [Fact]
    public void Gradient_equals_the_engine_gradient_bit_for_bit()
    {
        var (model, loss, x, y) = TinyModels.Mlp();
        var g = new float[loss.Layout.Count];
        double l = loss.LossAndGradient(g);

        // The engine's own training-mode forward/backward (running statistics frozen for a fair comparison).
        model.Training = true;
        model.UpdateRunningStatistics = false;
        model.ZeroGrad();
        var tape = new Tape<float>();
        var v = model.Loss(tape, x, y);
        tape.Backward(v);
        var expected = model.Parameters.SelectMany(p => p.Grad.Span.ToArray()).ToArray();
        Assert.Equal((double)v.Value[0], l);
        Assert.Equal(expected, g);
        Assert.Equal(l, loss.Loss());
    }

    [Fact]
    public void Float_gradient_matches_double_finite_differences_of_the_loss()
    {
        var (model, loss, x, y) = TinyModels.Mlp(seed: 3);
        var g = new float[loss.Layout.Count];
        loss.LossAndGradient(g);
        var twin = new Mlp<double>(model.Config, 0);
        twin.CopyFrom(model);
        var f = TinyModels.MlpDoubleLoss(twin, x, y);
        var theta = TinyModels.Flat(twin.Parameters);
        const double h = 1e-6;
        for (int i = 0; i < theta.Length; i++)
        {
            var t = (double[])theta.Clone();
            t[i] = theta[i] + h; TinyModels.SetFlat(twin.Parameters, t); double lp = f();
            t[i] = theta[i] - h; TinyModels.SetFlat(twin.Parameters, t); double lm = f();
            double fd = (lp - lm) / (2 * h);
            Assert.True(Math.Abs(fd - g[i]) < 1e-4 * (1 + Math.Abs(fd)), $"parameter {i}: finite difference {fd}, adapter {g[i]}");
        }
    }

    [Fact]
    public void Hvp_agrees_with_a_hessian_from_second_differences_of_the_loss()
    {
        var (model, loss, x, y) = TinyModels.Mlp(seed: 5);
        int d = loss.Layout.Count;
        // Independent of any backward pass: H_ij from four double-precision loss values.
        var twin = new Mlp<double>(model.Config, 0);
        twin.CopyFrom(model);
        var f = TinyModels.MlpDoubleLoss(twin, x, y);
        var theta = TinyModels.Flat(twin.Parameters);
        const double h = 1e-4;
        double At(int i, double si, int j, double sj)
        {
            var t = (double[])theta.Clone();
            t[i] += si * h; t[j] += sj * h;
            TinyModels.SetFlat(twin.Parameters, t);
            return f();
        }
        var hm = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
                hm[i, j] = hm[j, i] = (At(i, 1, j, 1) - At(i, 1, j, -1) - At(i, -1, j, 1) + At(i, -1, j, -1)) / (4 * h * h);

        var v = TinyModels.RandomVector(d, 11);
        var hv = new float[d];
        loss.HessianVectorProduct(v, hv);
        var expected = TinyModels.Times(hm, v);
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 1e-2, "the test Hessian should not be trivially small");
        for (int i = 0; i < d; i++)
            Assert.True(Math.Abs(expected[i] - hv[i]) < 1e-5 * scale + 1e-6, $"row {i}: explicit {expected[i]}, adapter {hv[i]}");
    }

    [Fact]
    public void Hvp_agrees_with_an_explicit_hessian_from_gradient_differences()
    {
        var (model, loss, x, y) = TinyModels.Mlp(seed: 2, batch: 8);
        var twin = new Mlp<double>(model.Config, 0);
        twin.CopyFrom(model);
        var f = TinyModels.MlpDoubleLoss(twin, x, y);
        var xd = new Engine.Tensors.Tensor<double>(x.Shape);
        for (int i = 0; i < x.Length; i++) xd[i] = x[i];
        var tape = new Tape<double>();
        var hm = TinyModels.HessianFromGradients(twin.Parameters, () => { tape.Reset(); var l = twin.Loss(tape, xd, y); tape.Backward(l); return l.Value[0]; });
        TinyModels.AssertProductsMatch(loss, hm, directions: 3, firstSeed: 20);
    }

    [Fact]
    public void Measurements_restore_parameters_mode_and_running_statistics_exactly()
    {
        var (model, loss, _, _) = TinyModels.Mlp(seed: 4);
        model.Training = false; // whatever mode the caller left it in must survive
        var before = model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        var stats = model.State.SelectMany(s => s.Span.ToArray()).ToArray();

        var objective = new ModelObjective(loss);
        var x = objective.CheckpointPoint();
        var u = TinyModels.RandomVector(x.Length, 3).Select(v => (double)v).ToArray();
        var s = DirectionalSharpness.Measure(objective, objective, x, u);
        var ls = LineSearch.Run(objective, x, u);
        var hv = new double[x.Length];
        objective.HessianVectorProduct(x, u, hv);

        Assert.True(double.IsFinite(s.Sharpness) && ls.Losses.Length > 2);
        Assert.Equal(before, model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray());
        Assert.Equal(stats, model.State.SelectMany(st => st.Span.ToArray()).ToArray());
        Assert.False(model.Training);
        Assert.True(model.Parameters.All(p => p.Grad.Span.ToArray().All(g => g == 0)));
    }

    [Fact]
    public void Bad_batches_are_refused_with_the_reason()
    {
        var (model, _, x, y) = TinyModels.Mlp();
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => new MlpModelLoss(model, x, y[..3])).Message);
        var bad = (int[])y.Clone(); bad[0] = 3;
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => new MlpModelLoss(model, x, bad)).Message);
        var loss = new MlpModelLoss(model, x, y);
        Assert.Throws<ArgumentException>(() => loss.WriteParameters(new float[2]));
    }
}
