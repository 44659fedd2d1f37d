using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>Forward values against independent scalar formulas (gradient checks only test consistency).</summary>
public class ForwardReferenceTests
{
    [Fact]
    public void GeluMatchesTheTanhFormulaInBothPrecisions()
    {
        double[] xs = [-6, -2.5, -1, -0.1, 0, 0.3, 1, 2, 9, 1e-4, -40, 40, 0.5, 1.5, -0.7, 3];
        var tape = new Tape<float>(false);
        var y = tape.Gelu(tape.Constant(Tensor<float>.FromArray(xs.Select(v => (float)v).ToArray(), xs.Length)));
        var td = new Tape<double>(false);
        var yd = td.Gelu(td.Constant(Tensor<double>.FromArray(xs, xs.Length)));
        for (int i = 0; i < xs.Length; i++)
        {
            double x = xs[i], expected = 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            Assert.Equal(expected, y.Value[i], 5e-6);
            Assert.Equal(expected, yd.Value[i], 1e-14);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(37)] // three row blocks, the last one partial
    public void AttentionMatchesNaiveMaskedSoftmax(int t)
    {
        int b = 2, c = 6, nh = 3, hs = 2;
        var qkv = GradientCheck.Random(3, 2, b, t, 3 * c);
        var tape = new Tape<double>(false);
        var y = tape.CausalSelfAttention(tape.Constant(qkv), nh);
        for (int bi = 0; bi < b; bi++)
            for (int h = 0; h < nh; h++)
                for (int i = 0; i < t; i++)
                {
                    double Q(int tt, int d) => qkv[(bi * t + tt) * 3 * c + h * hs + d];
                    double K(int tt, int d) => qkv[(bi * t + tt) * 3 * c + c + h * hs + d];
                    double V(int tt, int d) => qkv[(bi * t + tt) * 3 * c + 2 * c + h * hs + d];
                    var w = new double[t];
                    for (int s = 0; s < t; s++)
                        w[s] = s > i ? double.NegativeInfinity : (Q(i, 0) * K(s, 0) + Q(i, 1) * K(s, 1)) / Math.Sqrt(hs);
                    double max = w.Max(); double z = w.Sum(v => Math.Exp(v - max));
                    for (int d = 0; d < hs; d++)
                    {
                        double o = 0;
                        for (int s = 0; s < t; s++) o += Math.Exp(w[s] - max) / z * V(s, d);
                        Assert.Equal(o, y.Value[(bi * t + i) * c + h * hs + d], 12);
                    }
                }
    }

    [Fact]
    public void LayerNormNormalisesRows()
    {
        var x = GradientCheck.Random(1, 3, 4, 7);
        var tape = new Tape<double>(false);
        var y = tape.LayerNorm(tape.Constant(x), tape.Constant(Tensor<double>.FromArray(Enumerable.Repeat(1.0, 7).ToArray(), 7)), null, eps: 0);
        for (int r = 0; r < 4; r++)
        {
            var row = y.Value.Span.Slice(r * 7, 7).ToArray();
            Assert.Equal(0, row.Average(), 12);
            Assert.Equal(1, row.Select(v => v * v).Average(), 12);
        }
    }

    [Fact]
    public void CrossEntropyIsMinusLogSoftmaxAtTheTarget()
    {
        var x = GradientCheck.Random(2, 3, 3, 4);
        int[] targets = [3, 0, 2];
        var tape = new Tape<double>(false);
        double loss = tape.CrossEntropy(tape.Constant(x), targets).Value[0];
        double expected = 0;
        for (int r = 0; r < 3; r++)
        {
            double lse = Math.Log(Enumerable.Range(0, 4).Sum(j => Math.Exp(x[r * 4 + j])));
            expected += (lse - x[r * 4 + targets[r]]) / 3;
        }
        Assert.Equal(expected, loss, 13);
        Assert.Throws<ArgumentException>(() => tape.CrossEntropy(tape.Constant(x), [0, 4, 1]));
    }

    [Fact]
    public void DropoutKeepsAboutOneMinusPAndScales()
    {
        var tape = new Tape<double>(false);
        var ones = Tensor<double>.FromArray(Enumerable.Repeat(1.0, 10000).ToArray(), 10000);
        var y = tape.Dropout(tape.Constant(ones), 0.25, training: true, seed: 3).Value.Span.ToArray();
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 4.0 / 3) < 1e-15));
        Assert.InRange(y.Count(v => v == 0), 2300, 2700);
        Assert.Same(ones, tape.Dropout(tape.Constant(ones), 0.25, training: false, seed: 3).Value);
    }

    [Fact]
    public void TapeReusesBuffersAcrossSteps()
    {
        var tape = new Tape<float>();
        var x = Tensor<float>.FromArray([1, 2, 3, 4], 2, 2);
        var first = tape.Gelu(tape.Constant(x)).Value.Data;
        tape.Reset();
        var second = tape.Gelu(tape.Constant(x)).Value.Data;
        Assert.Same(first, second);
    }
}
