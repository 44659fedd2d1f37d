using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;
using static FocusLab.Engine.Tests.Autodiff.GradientCheck;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>
/// The fused BatchNorm → Linear → ReLU operation against the composition of the three separate
/// operations (each checked against finite differences in <see cref="OpGradientTests"/>), at sizes
/// where every kernel takes its multi-core path.
/// </summary>
public class BatchNormLinearTests
{
    private sealed record Result<T>(T[] Output, T[][] Gradients, T[] RunningMean, T[] RunningVar) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;

    private static Result<T> Run<T>(bool fused, bool training, bool relu, bool inputNeedsGradient, int rows, int inF, int outF)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Random(3);
        Tensor<T> Fill(double offset, double scale, params int[] shape)
        {
            var t = new Tensor<T>(shape);
            for (int i = 0; i < t.Length; i++) t[i] = T.CreateTruncating(offset + scale * (rng.NextDouble() * 2 - 1));
            return t;
        }
        // Inputs with a non-zero mean and unequal scales, as raw pixels are.
        var x = Fill(0.3, 2, rows, inF);
        Tensor<T>[] parameters = [Fill(1, 0.5, inF), Fill(0, 0.5, inF), Fill(0, 1 / Math.Sqrt(inF), outF, inF), Fill(0, 0.1, outF)];
        var runningMean = Fill(0, 0.2, inF);
        var runningVar = Fill(1, 0.5, inF);
        var tape = new Tape<T>();
        var grads = parameters.Select(p => new Tensor<T>(p.Shape)).ToArray();
        var v = parameters.Select((p, i) => tape.Leaf(p, grads[i])).ToArray();
        var xGrad = new Tensor<T>(x.Shape);
        var input = inputNeedsGradient ? tape.Leaf(x, xGrad) : tape.Constant(x);
        Variable<T> y;
        if (fused) y = tape.BatchNormLinear(input, v[0], v[1], runningMean, runningVar, training, 0.1, 1e-5, v[2], v[3], relu);
        else
        {
            y = tape.Linear(tape.BatchNorm1d(input, v[0], v[1], runningMean, runningVar, training), v[2], v[3]);
            if (relu) y = tape.Relu(y);
        }
        var seed = Fill(0, 1, y.Value.Length);
        tape.Backward(y, seed.Span);
        var gradients = grads.Select(g => g.Span.ToArray()).ToList();
        if (inputNeedsGradient) gradients.Add(xGrad.Span.ToArray());
        return new Result<T>(y.Value.Span.ToArray(), [.. gradients], runningMean.Span.ToArray(), runningVar.Span.ToArray());
    }

    private static double RelativeError<T>(T[] expected, T[] actual) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
            diff = Math.Max(diff, Math.Abs(e - a));
            norm = Math.Max(norm, Math.Abs(e));
        }
        return diff / Math.Max(norm, 1e-300);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void MatchesTheUnfusedCompositionInDouble(bool training, bool relu, bool inputNeedsGradient)
    {
        // 1024 × 600 inputs: the statistics, normalisation, epilogue and reductions all split over cores.
        var fused = Run<double>(true, training, relu, inputNeedsGradient, rows: 1024, inF: 600, outF: 130);
        var plain = Run<double>(false, training, relu, inputNeedsGradient, rows: 1024, inF: 600, outF: 130);
        Assert.True(RelativeError(plain.Output, fused.Output) < 1e-12, "output");
        for (int i = 0; i < plain.Gradients.Length; i++)
            Assert.True(RelativeError(plain.Gradients[i], fused.Gradients[i]) < 1e-11, $"gradient {i}: {RelativeError(plain.Gradients[i], fused.Gradients[i]):E2}");
        Assert.Equal(plain.RunningMean, fused.RunningMean);
        Assert.Equal(plain.RunningVar, fused.RunningVar);
    }

    [Fact]
    public void MatchesTheUnfusedCompositionInFloatAtTheMlpsFirstLayer()
    {
        var fused = Run<float>(true, training: true, relu: true, inputNeedsGradient: false, rows: 512, inF: 784, outF: 128);
        var plain = Run<float>(false, training: true, relu: true, inputNeedsGradient: false, rows: 512, inF: 784, outF: 128);
        Assert.True(RelativeError(plain.Output, fused.Output) < 1e-5, "output");
        for (int i = 0; i < plain.Gradients.Length; i++)
            Assert.True(RelativeError(plain.Gradients[i], fused.Gradients[i]) < 1e-4, $"gradient {i}: {RelativeError(plain.Gradients[i], fused.Gradients[i]):E2}");
    }

    [Fact]
    public void ATangentPassRunsTheUnfusedOperationsWithTheirTangentRules()
    {
        var tape = new Tape<double> { TangentMode = true };
        var x = Random(1, 1, 5, 3);
        Tensor<double>[] p = [Random(2, 1, 3), Random(3, 1, 3), Random(4, 1, 2, 3), Random(5, 1, 2)];
        var v = p.Select(t => tape.Leaf(t, new Tensor<double>(t.Shape), Random(9, 1, t.Shape), new Tensor<double>(t.Shape))).ToArray();
        int before = tape.Count;
        tape.BatchNormLinear(tape.Constant(x), v[0], v[1], null, null, training: true, 0.1, 1e-5, v[2], v[3], relu: true);
        // BatchNorm, Linear and ReLU each record a backward step and a tangent step.
        Assert.Equal(6, tape.Count - before);
    }
}
