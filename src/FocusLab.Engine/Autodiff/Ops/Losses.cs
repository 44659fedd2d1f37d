using System.Numerics;
using FocusLab.Engine.Kernels;

namespace FocusLab.Engine.Autodiff;

public static partial class Ops
{
    /// <summary>Softmax over the last dimension.</summary>
    public static Variable<T> Softmax<T>(this Tape<T> tape, Variable<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = tape.Output(x.Shape, x.RequiresGrad);
        int n = x.Value.LastDim, rows = x.Value.Rows;
        Kernels.Softmax.Forward(x.Value.Data, y.Value.Data, rows, n);
        tape.Record(() => { if (x.Grad is { } g) Kernels.Softmax.Backward(y.Value.Data, y.Grad!.Data, g.Data, rows, n); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Softmax(tape, x, y, rows, n);
        return y;
    }

    /// <summary>Log-softmax over the last dimension.</summary>
    public static Variable<T> LogSoftmax<T>(this Tape<T> tape, Variable<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = tape.Output(x.Shape, x.RequiresGrad);
        int n = x.Value.LastDim, rows = x.Value.Rows;
        Kernels.Softmax.LogForward(x.Value.Data, y.Value.Data, rows, n);
        tape.Record(() => { if (x.Grad is { } g) Kernels.Softmax.LogBackward(y.Value.Data, y.Grad!.Data, g.Data, rows, n); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.LogSoftmax(tape, x, y, rows, n);
        return y;
    }

    /// <summary>Negative log-likelihood: −mean_r logp[r, target_r] from log-probabilities [..., classes].</summary>
    public static Variable<T> NllLoss<T>(this Tape<T> tape, Variable<T> logProbabilities, int[] targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = logProbabilities.Value.LastDim, rows = logProbabilities.Value.Rows;
        Kernels.CrossEntropy.CheckTargets(targets, rows, n);
        var y = tape.Output([1], logProbabilities.RequiresGrad);
        T sum = T.Zero;
        for (int r = 0; r < rows; r++) sum += logProbabilities.Value.Data[r * n + targets[r]];
        y.Value.Span[0] = -sum / T.CreateTruncating(rows);
        tape.Record(() =>
        {
            if (logProbabilities.Grad is not { } g) return;
            T d = y.Grad!.Span[0] / T.CreateTruncating(rows);
            for (int r = 0; r < rows; r++) g.Data[r * n + targets[r]] -= d;
        });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.NllLoss(tape, logProbabilities, targets, y, rows, n);
        return y;
    }

    /// <summary>Fused log-softmax + NLL: mean cross-entropy of logits [..., classes] against class indices.</summary>
    public static Variable<T> CrossEntropy<T>(this Tape<T> tape, Variable<T> logits, int[] targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = logits.Value.LastDim, rows = logits.Value.Rows;
        var probs = tape.Buffer(logits.Shape, clear: false);
        var y = tape.Output([1], logits.RequiresGrad);
        y.Value.Span[0] = Kernels.CrossEntropy.Forward(logits.Value.Data, targets, probs.Data, rows, n);
        tape.Record(() => { if (logits.Grad is { } g) Kernels.CrossEntropy.Backward(probs.Data, targets, y.Grad!.Span[0], g.Data, rows, n); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.CrossEntropy(tape, logits, targets, y, probs, rows, n);
        return y;
    }
}
