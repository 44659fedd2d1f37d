using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;
using static FocusLab.Engine.Tests.Autodiff.GradientCheck;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>Every operation's reverse-mode gradient against central differences in double precision.</summary>
public class OpGradientTests
{
    [Fact] public void AddSameShape() => Check((t, v) => t.Add(v[0], v[1]), [Random(1, 1, 2, 3), Random(2, 1, 2, 3)]);
    [Fact] public void AddBroadcastsRowsAndColumns() => Check((t, v) => t.Add(v[0], v[1]), [Random(1, 1, 2, 3, 4), Random(2, 1, 3, 1)]);
    [Fact] public void SubtractBroadcastsBothWays() => Check((t, v) => t.Subtract(v[0], v[1]), [Random(1, 1, 2, 1, 3), Random(2, 1, 4, 1)]);
    [Fact] public void MultiplySameShape() => Check((t, v) => t.Multiply(v[0], v[1]), [Random(1, 1, 5), Random(2, 1, 5)]);
    [Fact] public void MultiplyBroadcastsTrailing() => Check((t, v) => t.Multiply(v[0], v[1]), [Random(1, 1, 2, 3), Random(2, 1, 3)]);
    [Fact] public void MultiplyBroadcastsGeneral() => Check((t, v) => t.Multiply(v[0], v[1]), [Random(1, 1, 2, 1, 3), Random(2, 1, 4, 1)]);
    [Fact] public void ScaleSumMean() => Check((t, v) => t.Add(t.Scale(t.Sum(v[0]), 0.3), t.Mean(t.Multiply(v[0], v[0]))), [Random(1, 1, 3, 4)]);
    [Fact] public void ReshapeSharesGradients() => Check((t, v) => t.Multiply(t.Reshape(v[0], 3, -1), v[1]), [Random(1, 1, 2, 6), Random(2, 1, 3, 4)]);

    [Fact] public void LinearWithBias() => Check((t, v) => t.Linear(v[0], v[1], v[2]), [Random(1, 1, 2, 3, 4), Random(2, 1, 5, 4), Random(3, 1, 5)]);
    [Fact] public void LinearWithoutBias() => Check((t, v) => t.Linear(v[0], v[1]), [Random(1, 1, 3, 4), Random(2, 1, 2, 4)]);

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void BatchedMatMul(bool ta, bool tb) =>
        Check((t, v) => t.MatMul(v[0], v[1], ta, tb), [Random(1, 1, ta ? [2, 4, 3] : [2, 3, 4]), Random(2, 1, tb ? [2, 5, 4] : [2, 4, 5])]);

    [Fact] public void MatMulWithSharedRightOperand() => Check((t, v) => t.MatMul(v[0], v[1]), [Random(1, 1, 2, 3, 4), Random(2, 1, 4, 2)]);

    [Fact] public void Relu() => Check((t, v) => t.Relu(v[0]), [RandomAwayFromZero(1, 3, 7)]);
    [Fact] public void Gelu() => Check((t, v) => t.Gelu(v[0]), [Random(1, 3, 3, 11)]);
    [Fact] public void Softmax() => Check((t, v) => t.Softmax(v[0]), [Random(1, 2, 3, 5)]);
    [Fact] public void LogSoftmax() => Check((t, v) => t.LogSoftmax(v[0]), [Random(1, 2, 3, 5)]);
    [Fact] public void NllOfLogSoftmax() => Check((t, v) => t.NllLoss(t.LogSoftmax(v[0]), [1, 4, 0]), [Random(1, 2, 3, 5)]);
    [Fact] public void CrossEntropy() => Check((t, v) => t.CrossEntropy(v[0], [2, 0, 4, 4]), [Random(1, 3, 2, 2, 5)]);
    [Fact] public void LayerNormWithBias() => Check((t, v) => t.LayerNorm(v[0], v[1], v[2]), [Random(1, 1, 3, 6), Random(2, 1, 6), Random(3, 1, 6)]);
    [Fact] public void LayerNormWithoutBias() => Check((t, v) => t.LayerNorm(v[0], v[1], null), [Random(1, 1, 2, 2, 5), Random(2, 1, 5)]);

    [Fact]
    public void BatchNormTraining()
    {
        var rm = new Tensor<double>(3); var rv = Tensor<double>.FromArray([1.0, 1.0, 1.0], 3);
        Check((t, v) => t.BatchNorm1d(v[0], v[1], v[2], rm, rv, training: true), [Random(1, 1, 5, 3), Random(2, 1, 3), Random(3, 1, 3)]);
    }

    [Fact]
    public void BatchNormEvaluation()
    {
        var rm = Random(4, 0.5, 3); var rv = Tensor<double>.FromArray([0.5, 1.5, 2.0], 3);
        Check((t, v) => t.BatchNorm1d(v[0], v[1], v[2], rm, rv, training: false), [Random(1, 1, 4, 3), Random(2, 1, 3), Random(3, 1, 3)]);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, false)]
    public void BatchNormLinear(bool training, bool relu, bool inputNeedsGradient)
    {
        var rm = Random(4, 0.5, 4); var rv = Tensor<double>.FromArray([0.5, 1.5, 2.0, 0.8], 4);
        var data = Random(1, 1, 6, 4);
        Tensor<double>[] parameters = [Random(2, 1, 4), Random(3, 1, 4), Random(5, 1, 3, 4), Random(6, 1, 3)];
        if (inputNeedsGradient)
            Check((t, v) => t.BatchNormLinear(v[0], v[1], v[2], rm, rv, training, 0.1, 1e-5, v[3], v[4], relu), [data, .. parameters]);
        else
            // The input is data (no gradient): the backward pass never forms the batch-norm output's gradient.
            Check((t, v) => t.BatchNormLinear(t.Constant(data), v[0], v[1], rm, rv, training, 0.1, 1e-5, v[2], v[3], relu), parameters);
    }

    [Fact] public void BatchNormLinearWithoutBias() =>
        Check((t, v) => t.BatchNormLinear(v[0], v[1], v[2], null, null, training: true, 0.1, 1e-5, v[3], null, relu: true),
            [Random(1, 1, 5, 3), Random(2, 1, 3), Random(3, 1, 3), Random(4, 1, 2, 3)]);

    [Fact] public void EmbeddingWithRepeatedIndices() => Check((t, v) => t.Embedding([1, 3, 1, 0, 3, 3], [2, 3], v[0]), [Random(1, 1, 4, 5)]);
    [Fact] public void CausalSelfAttentionAcrossRowBlocks() => Check((t, v) => t.CausalSelfAttention(v[0], heads: 2), [Random(2, 1, 1, 37, 12)]);
    [Fact] public void CausalSelfAttention() => Check((t, v) => t.CausalSelfAttention(v[0], heads: 2), [Random(1, 1, 2, 4, 18)]);
    [Fact] public void Dropout() => Check((t, v) => t.Dropout(v[0], 0.4, training: true, seed: 7), [Random(1, 1, 4, 6)]);
}

public class BroadcastGradientTests
{
    [Fact] public void AddTrailingRowBroadcast() => Check((t, v) => t.Add(v[0], v[1]), [Random(1, 1, 2, 3, 4), Random(2, 1, 3, 4)]);
    [Fact] public void SubtractTrailingRowBroadcast() => Check((t, v) => t.Subtract(v[0], v[1]), [Random(1, 1, 5, 4), Random(2, 1, 4)]);
}
