using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>Central finite differences in double precision against the tape's reverse-mode gradients.</summary>
internal static class GradientCheck
{
    public static Tensor<double> Random(int seed, double scale, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor<double>(shape);
        for (int i = 0; i < t.Length; i++) t[i] = scale * (rng.NextDouble() * 2 - 1);
        return t;
    }

    /// <summary>Random values bounded away from 0 (for kinks like ReLU).</summary>
    public static Tensor<double> RandomAwayFromZero(int seed, params int[] shape)
    {
        var t = Random(seed, 1, shape);
        for (int i = 0; i < t.Length; i++) t[i] = Math.Sign(t[i]) * (0.1 + Math.Abs(t[i]));
        return t;
    }

    /// <summary>
    /// Checks d(Σ r⊙f(inputs))/d input against central differences with step h for every element of
    /// every input. Returns the largest error seen (for reporting).
    /// </summary>
    public static double Check(Func<Tape<double>, Variable<double>[], Variable<double>> f, Tensor<double>[] inputs,
        double h = 1e-6, double tolerance = 1e-7, int seed = 99)
    {
        var tape = new Tape<double>();
        var grads = inputs.Select(x => new Tensor<double>(x.Shape)).ToArray();
        var leaves = inputs.Select((x, i) => tape.Leaf(x, grads[i])).ToArray();
        var y = f(tape, leaves);
        var r = Random(seed, 1, y.Value.Length);
        var yValue = y.Value.Span.ToArray();
        tape.Backward(y, r.Span);

        double Objective()
        {
            var t = new Tape<double>(recordGradients: false);
            var outV = f(t, inputs.Select(t.Constant).ToArray());
            double s = 0;
            for (int i = 0; i < outV.Value.Length; i++) s += r[i] * outV.Value[i];
            return s;
        }

        double worst = 0;
        for (int i = 0; i < inputs.Length; i++)
            for (int j = 0; j < inputs[i].Length; j++)
            {
                double saved = inputs[i][j];
                inputs[i][j] = saved + h; double plus = Objective();
                inputs[i][j] = saved - h; double minus = Objective();
                inputs[i][j] = saved;
                double numeric = (plus - minus) / (2 * h);
                double analytic = grads[i][j];
                double err = Math.Abs(numeric - analytic) / Math.Max(1, Math.Max(Math.Abs(numeric), Math.Abs(analytic)));
                worst = Math.Max(worst, err);
                Assert.True(err <= tolerance, $"input {i} element {j}: analytic {analytic:R} vs numeric {numeric:R} (error {err:E2})");
            }
        // The check is only meaningful if the objective is not constant.
        Assert.Contains(grads, g => g.Span.ToArray().Any(v => Math.Abs(v) > 1e-8));
        _ = yValue;
        return worst;
    }
}
