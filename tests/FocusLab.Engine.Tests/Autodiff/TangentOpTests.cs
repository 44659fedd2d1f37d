using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;
using static FocusLab.Engine.Tests.Autodiff.GradientCheck;
using static FocusLab.Engine.Tests.Autodiff.TangentCheck;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>Every operation's tangent rule: exact HVP = explicit finite-difference Hessian = Richardson HVP (float64).</summary>
public class TangentOpTests
{
    [Fact] public void AddSameShape() => CheckHessian((t, v) => t.Add(v[0], v[1]), [Random(1, 1, 2, 3), Random(2, 1, 2, 3)]);
    [Fact] public void AddBroadcastsGeneral() => CheckHessian((t, v) => t.Add(v[0], v[1]), [Random(1, 1, 2, 3, 2), Random(2, 1, 3, 1)]);
    [Fact] public void AddTrailingRowBroadcast() => CheckHessian((t, v) => t.Add(v[0], v[1]), [Random(1, 1, 2, 3, 2), Random(2, 1, 3, 2)]);
    [Fact] public void SubtractSameShape() => CheckHessian((t, v) => t.Subtract(v[0], v[1]), [Random(1, 1, 5), Random(2, 1, 5)]);
    [Fact] public void SubtractBroadcastsBothWays() => CheckHessian((t, v) => t.Subtract(v[0], v[1]), [Random(1, 1, 2, 1, 3), Random(2, 1, 4, 1)]);
    [Fact] public void SubtractTrailingRowBroadcast() => CheckHessian((t, v) => t.Subtract(v[0], v[1]), [Random(1, 1, 4, 3), Random(2, 1, 3)]);
    [Fact] public void MultiplySameShape() => CheckHessian((t, v) => t.Multiply(v[0], v[1]), [Random(1, 1, 6), Random(2, 1, 6)]);
    [Fact] public void MultiplyTrailingRowBroadcast() => CheckHessian((t, v) => t.Multiply(v[0], v[1]), [Random(1, 1, 3, 4), Random(2, 1, 4)]);
    [Fact] public void MultiplyBroadcastsGeneral() => CheckHessian((t, v) => t.Multiply(v[0], v[1]), [Random(1, 1, 2, 1, 3), Random(2, 1, 4, 1)]);
    [Fact] public void MultiplyWithAConstant() => CheckHessian((t, v) => t.Multiply(v[0], t.Constant(Random(9, 1, 2, 3))), [Random(1, 1, 2, 3)]);
    [Fact] public void ScaleSumMean() => CheckHessian((t, v) => t.Add(t.Scale(t.Sum(v[0]), 0.3), t.Mean(t.Multiply(v[0], v[0]))), [Random(1, 1, 3, 4)]);
    [Fact] public void ReshapeView() => CheckHessian((t, v) => t.Multiply(t.Reshape(v[0], 3, -1), v[1]), [Random(1, 1, 2, 6), Random(2, 1, 3, 4)]);

    [Fact] public void LinearWithBias() => CheckHessian((t, v) => t.Linear(v[0], v[1], v[2]), [Random(1, 1, 2, 2, 3), Random(2, 1, 4, 3), Random(3, 1, 4)]);
    [Fact] public void LinearWithoutBias() => CheckHessian((t, v) => t.Linear(v[0], v[1]), [Random(1, 1, 3, 4), Random(2, 1, 2, 4)]);
    [Fact] public void LinearOfAConstantInput() => CheckHessian((t, v) => t.Linear(t.Constant(Random(7, 1, 3, 4)), v[0], v[1]), [Random(2, 1, 2, 4), Random(3, 1, 2)]);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BatchedMatMul(bool ta, bool tb) =>
        CheckHessian((t, v) => t.MatMul(v[0], v[1], ta, tb), [Random(1, 1, 2, ta ? 3 : 2, ta ? 2 : 3), Random(2, 1, 2, tb ? 4 : 3, tb ? 3 : 4)]);

    [Fact] public void MatMulWithSharedRightOperand() => CheckHessian((t, v) => t.MatMul(v[0], v[1]), [Random(1, 1, 2, 3, 2), Random(2, 1, 2, 3)]);

    [Fact] public void Relu() => CheckHessian((t, v) => t.Relu(t.Multiply(v[0], v[1])), [RandomAwayFromZero(1, 3, 4), RandomAwayFromZero(2, 3, 4)]);
    [Fact] public void Gelu() => CheckHessian((t, v) => t.Gelu(v[0]), [Random(1, 3, 3, 7)]);
    [Fact] public void Softmax() => CheckHessian((t, v) => t.Softmax(v[0]), [Random(1, 2, 3, 5)]);
    [Fact] public void LogSoftmax() => CheckHessian((t, v) => t.LogSoftmax(v[0]), [Random(1, 2, 3, 5)]);
    [Fact] public void NllOfLogSoftmax() => CheckHessian((t, v) => t.NllLoss(t.LogSoftmax(v[0]), [1, 4, 0]), [Random(1, 2, 3, 5)]);
    [Fact] public void CrossEntropy() => CheckHessian((t, v) => t.CrossEntropy(v[0], [2, 0, 4, 4]), [Random(1, 3, 2, 2, 5)]);
    [Fact] public void CrossEntropyOfLinear() => CheckHessian((t, v) => t.CrossEntropy(t.Linear(v[0], v[1]), [2, 0, 1]), [Random(1, 1, 3, 4), Random(2, 1, 3, 4)]);
    [Fact] public void LayerNormWithBias() => CheckHessian((t, v) => t.LayerNorm(v[0], v[1], v[2]), [Random(1, 1, 3, 5), Random(2, 1, 5), Random(3, 1, 5)]);
    [Fact] public void LayerNormWithoutBias() => CheckHessian((t, v) => t.LayerNorm(v[0], v[1], null), [Random(1, 1, 2, 2, 4), Random(2, 1, 4)]);

    [Fact]
    public void BatchNormTrainingLeavesRunningStatisticsAlone()
    {
        var rm = Random(4, 0.5, 3); var rv = Tensor<double>.FromArray([0.5, 1.5, 2.0], 3);
        var (m0, v0) = (rm.Span.ToArray(), rv.Span.ToArray());
        CheckHessian((t, v) => t.BatchNorm1d(v[0], v[1], v[2], t.TangentMode ? rm : null, t.TangentMode ? rv : null, training: true),
            [Random(1, 1, 5, 3), Random(2, 1, 3), Random(3, 1, 3)]);
        Assert.Equal(m0, rm.Span.ToArray());
        Assert.Equal(v0, rv.Span.ToArray());
    }

    [Fact]
    public void BatchNormTrainingOfAConstantInput() => CheckHessian((t, v) => t.BatchNorm1d(t.Constant(Random(8, 1, 4, 3)), v[0], v[1], null, null, training: true),
        [Random(2, 1, 3), Random(3, 1, 3)]);

    [Fact]
    public void BatchNormEvaluation()
    {
        var rm = Random(4, 0.5, 3); var rv = Tensor<double>.FromArray([0.5, 1.5, 2.0], 3);
        CheckHessian((t, v) => t.BatchNorm1d(v[0], v[1], v[2], rm, rv, training: false), [Random(1, 1, 4, 3), Random(2, 1, 3), Random(3, 1, 3)]);
    }

    [Fact] public void EmbeddingWithRepeatedIndices() => CheckHessian((t, v) => t.Embedding([1, 3, 1, 0, 3, 3], [2, 3], v[0]), [Random(1, 1, 4, 3)]);
    [Fact] public void CausalSelfAttention() => CheckHessian((t, v) => t.CausalSelfAttention(v[0], heads: 2), [Random(1, 1, 2, 4, 12)]);
    [Fact] public void CausalSelfAttentionOfLinear() => CheckHessian((t, v) => t.CausalSelfAttention(t.Linear(v[0], v[1]), heads: 1), [Random(1, 1, 1, 5, 2), Random(2, 1, 6, 2)]);
    [Fact] public void Dropout() => CheckHessian((t, v) => t.Dropout(t.Multiply(v[0], v[0]), 0.4, training: true, seed: 7), [Random(1, 1, 4, 5)]);
}
