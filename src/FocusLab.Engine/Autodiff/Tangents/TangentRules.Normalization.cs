using System.Numerics;
using FocusLab.Engine.Kernels.Tangents;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

internal static partial class TangentRules
{
    /// <summary>Softmax over the last dimension: see <see cref="SoftmaxTangent"/>.</summary>
    public static void Softmax<T>(Tape<T> tape, Variable<T> x, Variable<T> y, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xd = OrZeros(tape, x.Tangent, x.Shape);
        SoftmaxTangent.Forward(y.Value.Data, xd.Data, y.Tangent!.Data, rows, n);
        tape.RecordTangent(() =>
        {
            if (x.GradTangent is { } g) SoftmaxTangent.Backward(y.Value.Data, y.Tangent.Data, y.Grad!.Data, y.GradTangent!.Data, g.Data, rows, n);
        });
    }

    /// <summary>Log-softmax over the last dimension: see <see cref="SoftmaxTangent"/>.</summary>
    public static void LogSoftmax<T>(Tape<T> tape, Variable<T> x, Variable<T> y, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xd = OrZeros(tape, x.Tangent, x.Shape);
        SoftmaxTangent.LogForward(y.Value.Data, xd.Data, y.Tangent!.Data, rows, n);
        tape.RecordTangent(() =>
        {
            if (x.GradTangent is { } g) SoftmaxTangent.LogBackward(y.Value.Data, y.Tangent.Data, y.Grad!.Data, y.GradTangent!.Data, g.Data, rows, n);
        });
    }

    /// <summary>NLL (linear): L̇ = −mean_r ẋ[r, t_r]; (dx)˙[r, t_r] −= (dL)˙/rows.</summary>
    public static void NllLoss<T>(Tape<T> tape, Variable<T> logProbabilities, int[] targets, Variable<T> y, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        if (logProbabilities.Tangent is { } xd)
            for (int r = 0; r < rows; r++) sum += xd.Data[r * n + targets[r]];
        y.Tangent!.Span[0] = -sum / T.CreateTruncating(rows);
        tape.RecordTangent(() =>
        {
            if (logProbabilities.GradTangent is not { } g) return;
            T d = y.GradTangent!.Span[0] / T.CreateTruncating(rows);
            for (int r = 0; r < rows; r++) g.Data[r * n + targets[r]] -= d;
        });
    }

    /// <summary>Fused cross-entropy from the kept probabilities: see <see cref="SoftmaxTangent.CrossEntropyForward{T}"/>.</summary>
    public static void CrossEntropy<T>(Tape<T> tape, Variable<T> logits, int[] targets, Variable<T> y, Tensor<T> probs, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        y.Tangent!.Span[0] = logits.Tangent is { } xd ? SoftmaxTangent.CrossEntropyForward(probs.Data, xd.Data, targets, rows, n) : T.Zero;
        tape.RecordTangent(() =>
        {
            if (logits.GradTangent is { } g)
                SoftmaxTangent.CrossEntropyBackward(probs.Data, logits.Tangent?.Data, targets, y.Grad!.Span[0], y.GradTangent!.Span[0], g.Data, rows, n);
        });
    }

    /// <summary>LayerNorm over the last dimension: see <see cref="LayerNormTangent"/>.</summary>
    public static void LayerNorm<T>(Tape<T> tape, Variable<T> x, Variable<T> weight, Variable<T>? bias, Variable<T> y,
        Tensor<T> mean, Tensor<T> rstd, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        LayerNormTangent.Forward(x.Value.Data, weight.Value.Data, x.Tangent?.Data, weight.Tangent?.Data, bias?.Tangent?.Data,
            mean.Data, rstd.Data, y.Tangent!.Data, rows, n);
        tape.RecordTangent(() => LayerNormTangent.Backward(x.Value.Data, weight.Value.Data, x.Tangent?.Data, weight.Tangent?.Data,
            mean.Data, rstd.Data, y.Grad!.Data, y.GradTangent!.Data, x.GradTangent?.Data, weight.GradTangent?.Data, bias?.GradTangent?.Data, rows, n));
    }

    /// <summary>BatchNorm1d (training: batch statistics; evaluation: running statistics): see <see cref="BatchNormTangent"/>.</summary>
    public static void BatchNorm1d<T>(Tape<T> tape, Variable<T> x, Variable<T> weight, Variable<T> bias, Variable<T> y,
        Tensor<T> xhat, Tensor<T> rstd, int rows, int c, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xhatDot = tape.Buffer(x.Shape, clear: false);
        var rDot = tape.Buffer([c], clear: false);
        BatchNormTangent.Forward(xhat.Data, rstd.Data, weight.Value.Data, x.Tangent?.Data, weight.Tangent?.Data, bias.Tangent?.Data,
            xhatDot.Data, rDot.Data, y.Tangent!.Data, rows, c, training);
        tape.RecordTangent(() => BatchNormTangent.Backward(xhat.Data, xhatDot.Data, rstd.Data, rDot.Data, weight.Value.Data, weight.Tangent?.Data,
            y.Grad!.Data, y.GradTangent!.Data, x.GradTangent?.Data, weight.GradTangent?.Data, bias.GradTangent?.Data, rows, c, training));
    }
}
