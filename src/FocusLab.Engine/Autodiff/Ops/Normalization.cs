using System.Numerics;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

public static partial class Ops
{
    /// <summary>LayerNorm over the last dimension with weight [C] and optional bias [C].</summary>
    public static Variable<T> LayerNorm<T>(this Tape<T> tape, Variable<T> x, Variable<T> weight, Variable<T>? bias, double eps = 1e-5) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Value.LastDim, rows = x.Value.Rows;
        if (weight.Value.Length != n || (bias is not null && bias.Value.Length != n))
            throw new ArgumentException($"LayerNorm parameters must have {n} elements for input {Shapes.Format(x.Shape)}.");
        var y = tape.Output(x.Shape, x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));
        var mean = tape.Buffer([rows], clear: false);
        var rstd = tape.Buffer([rows], clear: false);
        Kernels.LayerNorm.Forward(x.Value.Data, weight.Value.Data, bias?.Value.Data, y.Value.Data, mean.Data, rstd.Data, rows, n, T.CreateTruncating(eps));
        tape.Record(() => Kernels.LayerNorm.Backward(x.Value.Data, weight.Value.Data, mean.Data, rstd.Data, y.Grad!.Data,
            x.Grad?.Data, weight.Grad?.Data, bias?.Grad?.Data, rows, n));
        if (tape.TangentMode && y.RequiresGrad) TangentRules.LayerNorm(tape, x, weight, bias, y, mean, rstd, rows, n);
        return y;
    }

    /// <summary>
    /// BatchNorm1d over x [N, C]. Training uses batch statistics and, when running buffers are given,
    /// updates them (momentum 0.1, unbiased variance); evaluation uses the running statistics.
    /// </summary>
    public static Variable<T> BatchNorm1d<T>(this Tape<T> tape, Variable<T> x, Variable<T> weight, Variable<T> bias,
        Tensor<T>? runningMean, Tensor<T>? runningVar, bool training, double momentum = 0.1, double eps = 1e-5) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Shape.Length != 2) throw new ArgumentException($"BatchNorm1d expects [N, C] inputs, got {Shapes.Format(x.Shape)}.");
        int rows = x.Shape[0], c = x.Shape[1];
        if (weight.Value.Length != c || bias.Value.Length != c) throw new ArgumentException($"BatchNorm1d parameters must have {c} elements.");
        if (!training && (runningMean is null || runningVar is null)) throw new InvalidOperationException("BatchNorm1d in evaluation mode needs running statistics.");
        var y = tape.Output(x.Shape, x.RequiresGrad || weight.RequiresGrad || bias.RequiresGrad);
        var xhat = tape.Buffer(x.Shape, clear: false);
        var rstd = tape.Buffer([c], clear: false);
        // A tangent pass (Hessian-vector product) measures the loss; it never moves the running statistics.
        if (training)
            Kernels.BatchNorm.ForwardTrain(x.Value.Data, weight.Value.Data, bias.Value.Data, y.Value.Data, xhat.Data, rstd.Data,
                tape.TangentMode ? null : runningMean?.Data, tape.TangentMode ? null : runningVar?.Data, rows, c, T.CreateTruncating(eps), T.CreateTruncating(momentum));
        else
            Kernels.BatchNorm.ForwardEval(x.Value.Data, weight.Value.Data, bias.Value.Data, y.Value.Data, xhat.Data, rstd.Data,
                runningMean!.Data, runningVar!.Data, rows, c, T.CreateTruncating(eps));
        tape.Record(() => Kernels.BatchNorm.Backward(xhat.Data, rstd.Data, weight.Value.Data, y.Grad!.Data,
            x.Grad?.Data, weight.Grad?.Data, bias.Grad?.Data, rows, c, training));
        if (tape.TangentMode && y.RequiresGrad) TangentRules.BatchNorm1d(tape, x, weight, bias, y, xhat, rstd, rows, c, training);
        return y;
    }
}
