using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;
using FocusLab.Engine.Tests.Autodiff;

namespace FocusLab.Engine.Tests.Kernels;

/// <summary>
/// The float32 kernels (fast exp, fused attention, fused normalisations) against the float64 path of
/// the same operation on the same inputs. The float64 path is the reference: it runs the generic
/// kernels, which are checked against naive formulas and central finite differences
/// (<see cref="ForwardReferenceTests"/>, <see cref="OpGradientTests"/>). Odd sizes exercise vector
/// tails; gradients start non-zero to check that backward steps accumulate.
/// </summary>
public class FloatKernelTests
{
    internal static void Check(Func<Tape<float>, Variable<float>[], Variable<float>> f32, Func<Tape<double>, Variable<double>[], Variable<double>> f64,
        Tensor<double>[] inputs, double tolerance = 2e-5)
    {
        // Both precisions see the same (float-representable) inputs.
        var xd = inputs.Select(x => { var t = new Tensor<double>(x.Shape); for (int i = 0; i < x.Length; i++) t[i] = (float)x[i]; return t; }).ToArray();
        var xf = xd.Select(x => { var t = new Tensor<float>(x.Shape); for (int i = 0; i < x.Length; i++) t[i] = (float)x[i]; return t; }).ToArray();
        var gd = xd.Select((x, k) => { var g = GradientCheck.Random(50 + k, 1, x.Shape); for (int i = 0; i < g.Length; i++) g[i] = (float)g[i]; return g; }).ToArray();
        var gf = gd.Select(g => { var t = new Tensor<float>(g.Shape); for (int i = 0; i < g.Length; i++) t[i] = (float)g[i]; return t; }).ToArray();

        var td = new Tape<double>();
        var yd = f64(td, xd.Select((x, i) => td.Leaf(x, gd[i])).ToArray());
        var tf = new Tape<float>();
        var yf = f32(tf, xf.Select((x, i) => tf.Leaf(x, gf[i])).ToArray());
        Assert.Equal(yd.Shape, yf.Shape);
        var seed = GradientCheck.Random(77, 1, yd.Value.Length);
        for (int i = 0; i < seed.Length; i++) seed[i] = (float)seed[i];
        td.Backward(yd, seed.Span);
        tf.Backward(yf, seed.Span.ToArray().Select(v => (float)v).ToArray());

        Close("output", yd.Value.Span, yf.Value.Span, tolerance);
        for (int k = 0; k < inputs.Length; k++) Close($"gradient of input {k}", gd[k].Span, gf[k].Span, tolerance);
    }

    private static void Close(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        double scale = 0;
        foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"{what}[{i}] is NaN");
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (scale + 1e-30),
                $"{what}[{i}]: float {actual[i]:R} vs double {expected[i]:R} (scale {scale:E2})");
        }
    }

    private static Tensor<double> R(int seed, double scale, params int[] shape) => GradientCheck.Random(seed, scale, shape);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(70_001)] // several parallel chunks and a tail
    public void Gelu(int n) => Check((t, v) => t.Gelu(v[0]), (t, v) => t.Gelu(v[0]), [R(n, 6, n)]);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 37)]
    [InlineData(5, 8)]
    [InlineData(300, 256)]
    public void SoftmaxAndLogSoftmax(int rows, int n)
    {
        Check((t, v) => t.Softmax(v[0]), (t, v) => t.Softmax(v[0]), [R(rows + n, 8, rows, n)]);
        Check((t, v) => t.LogSoftmax(v[0]), (t, v) => t.LogSoftmax(v[0]), [R(rows * n, 8, rows, n)]);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(37, 13)]
    [InlineData(200, 256)]
    public void CrossEntropy(int rows, int classes)
    {
        var targets = Enumerable.Range(0, rows).Select(i => (i * 7 + 3) % classes).ToArray();
        Check((t, v) => t.CrossEntropy(v[0], targets), (t, v) => t.CrossEntropy(v[0], targets), [R(rows, 10, rows, classes)]);
    }

    [Theory]
    [InlineData(2, 64, 128, 4)] // the benchmark GPT's heads (hs 32)
    [InlineData(3, 70, 64, 2)]  // T beyond two key tiles
    [InlineData(1, 37, 48, 2)]  // hs 24: the single-vector column path
    [InlineData(2, 5, 128, 2)]  // hs 64: two column passes
    [InlineData(1, 1, 32, 4)]   // hs 8, one token
    [InlineData(2, 2, 16, 2)]
    public void CausalSelfAttention(int b, int t, int c, int nh)
        => Check((tp, v) => tp.CausalSelfAttention(v[0], nh), (tp, v) => tp.CausalSelfAttention(v[0], nh), [R(b * t + c, 1.5, b, t, 3 * c)], 5e-5);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(3, 37)]
    [InlineData(2100, 128)] // several parallel chunks
    public void LayerNorm(int rows, int n)
    {
        Check((t, v) => t.LayerNorm(v[0], v[1], v[2]), (t, v) => t.LayerNorm(v[0], v[1], v[2]), [R(rows, 2, rows, n), R(2, 1, n), R(3, 1, n)]);
        Check((t, v) => t.LayerNorm(v[0], v[1], null), (t, v) => t.LayerNorm(v[0], v[1], null), [R(rows + 1, 2, rows, n), R(4, 1, n)]);
    }

    [Theory]
    [InlineData(2, 13, true)]
    [InlineData(37, 20, true)]
    [InlineData(70, 9, true)]    // two statistics chunks, the second partial
    [InlineData(4100, 128, true)] // parallel chunks
    [InlineData(300, 784, true)]
    [InlineData(37, 20, false)]
    [InlineData(4100, 128, false)]
    public void BatchNorm1d(int rows, int c, bool training)
    {
        var meanD = R(8, 0.5, c); var varD = R(9, 0.5, c);
        for (int i = 0; i < c; i++) varD[i] = 0.5 + Math.Abs(varD[i]);
        Tensor<float> F(Tensor<double> d) { var f = new Tensor<float>(d.Shape); for (int i = 0; i < d.Length; i++) f[i] = (float)d[i]; return f; }
        Tensor<double> D(Tensor<double> d) { var f = new Tensor<double>(d.Shape); for (int i = 0; i < d.Length; i++) f[i] = (float)d[i]; return f; }
        var meanF = F(meanD); var varF = F(varD); var meanDD = D(meanD); var varDD = D(varD);
        // Inputs with an offset per channel much larger than their spread: the merged chunk statistics must not cancel.
        var x = R(rows * c, 1, rows, c);
        for (int i = 0; i < x.Length; i++) x[i] += 30 * ((i % c) % 3 - 1);
        Check((t, v) => t.BatchNorm1d(v[0], v[1], v[2], meanF, varF, training), (t, v) => t.BatchNorm1d(v[0], v[1], v[2], meanDD, varDD, training),
            [x, R(2, 1, c), R(3, 1, c)], 5e-5);
        for (int j = 0; j < c; j++)
        {
            Assert.Equal(meanDD[j], meanF[j], 1e-4 * (1 + Math.Abs(meanDD[j])));
            Assert.Equal(varDD[j], varF[j], 1e-4 * (1 + Math.Abs(varDD[j])));
        }
    }

    [Fact]
    public void KernelsThatSkipBoundsChecksRefuseShortBuffers()
    {
        // Public kernel entry points are called directly by other code (not only by the tape's ops).
        int b = 2, t = 8, c = 16, nh = 2;
        var qkv = new float[b * t * 3 * c]; var output = new float[b * t * c]; var att = new float[b * nh * t * t];
        Assert.Throws<ArgumentException>(() => FocusLab.Engine.Kernels.CausalAttention.Forward(qkv[..^1], output, att, b, t, c, nh));
        Assert.Throws<ArgumentException>(() => FocusLab.Engine.Kernels.CausalAttention.Forward(qkv, output, att[..^1], b, t, c, nh));
        Assert.Throws<ArgumentException>(() => FocusLab.Engine.Kernels.CausalAttention.Backward(qkv, att, output[..^1], qkv, b, t, c, nh));
        var x = new float[10 * 16]; var w = new float[16]; var stats = new float[10];
        Assert.Throws<ArgumentException>(() => FocusLab.Engine.Kernels.LayerNorm.Forward(x[..^1], w, null, x, stats, stats, 10, 16, 1e-5f));
        Assert.Throws<ArgumentException>(() => FocusLab.Engine.Kernels.LayerNorm.Forward(x, w[..^1], null, new float[x.Length], stats, stats, 10, 16, 1e-5f));
        Assert.Throws<ArgumentException>(() => FocusLab.Engine.Kernels.LayerNorm.Backward(x, w, stats, stats[..^1], x, null, w, null, 10, 16));
    }
}
