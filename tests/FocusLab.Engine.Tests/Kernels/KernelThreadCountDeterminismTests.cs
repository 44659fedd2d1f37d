using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Kernels;
using FocusLab.Engine.Tensors;
using FocusLab.Engine.Tests.Autodiff;

namespace FocusLab.Engine.Tests.Kernels;

/// <summary>Each float32 kernel, at sizes that take its parallel path, gives bitwise-identical outputs
/// and gradients for 1, 3 and all threads.</summary>
[Collection("Global engine settings")]
public class KernelThreadCountDeterminismTests
{
    private static float[] Run(Func<Tape<float>, Variable<float>[], Variable<float>> f, int[][] shapes)
    {
        var tape = new Tape<float>();
        var leaves = shapes.Select((s, k) =>
        {
            var d = GradientCheck.Random(10 + k, 2, s);
            var x = new Tensor<float>(s); for (int i = 0; i < x.Length; i++) x[i] = (float)d[i];
            return tape.Leaf(x, new Tensor<float>(s));
        }).ToArray();
        var y = f(tape, leaves);
        var seed = new float[y.Value.Length];
        for (int i = 0; i < seed.Length; i++) seed[i] = MathF.Sin(i * 0.37f);
        tape.Backward(y, seed);
        return y.Value.Span.ToArray().Concat(leaves.SelectMany(l => l.Grad!.Span.ToArray())).ToArray();
    }

    public static IEnumerable<object[]> Kernels() => new[] { "gelu", "layernorm", "batchnorm", "attention", "crossentropy", "softmax" }.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Kernels))]
    public void BitwiseIdenticalForOneThreeAndAllThreads(string kernel)
    {
        (Func<Tape<float>, Variable<float>[], Variable<float>> f, int[][] shapes) = kernel switch
        {
            "gelu" => ((Func<Tape<float>, Variable<float>[], Variable<float>>)((t, v) => t.Gelu(v[0])), new[] { new[] { 300_001 } }),
            "layernorm" => ((t, v) => t.LayerNorm(v[0], v[1], v[2]), new[] { new[] { 2100, 128 }, new[] { 128 }, new[] { 128 } }),
            "batchnorm" => ((t, v) => t.BatchNorm1d(v[0], v[1], v[2], null, null, training: true), new[] { new[] { 4100, 130 }, new[] { 130 }, new[] { 130 } }),
            "attention" => ((t, v) => t.CausalSelfAttention(v[0], 4), new[] { new[] { 8, 64, 3 * 128 } }),
            "crossentropy" => ((t, v) => t.CrossEntropy(v[0], Enumerable.Range(0, 1100).Select(i => i % 256).ToArray()), new[] { new[] { 1100, 256 } }),
            _ => ((t, v) => t.Softmax(v[0]), new[] { new[] { 1100, 256 } }),
        };
        try
        {
            Parallelism.MaxDegreeOfParallelism = 1;
            var one = Run(f, shapes);
            Parallelism.MaxDegreeOfParallelism = 3;
            var three = Run(f, shapes);
            Parallelism.MaxDegreeOfParallelism = -1;
            var all = Run(f, shapes);
            Assert.Equal(one, three);
            Assert.Equal(one, all);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = -1;
        }
    }
}
