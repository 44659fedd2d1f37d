using System.Numerics;
using FocusLab.Engine.Kernels;

namespace FocusLab.Engine.Autodiff;

public static partial class Ops
{
    /// <summary>max(x, 0) elementwise; the gradient passes where x &gt; 0.</summary>
    public static Variable<T> Relu<T>(this Tape<T> tape, Variable<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = tape.Output(x.Shape, x.RequiresGrad);
        int n = x.Value.Length;
        Elementwise.Map<T, ReluOperator<T>>(x.Value.Data, y.Value.Data, n);
        tape.Record(() => { if (x.Grad is { } g) Elementwise.Map<T, ReluBackwardOperator<T>>(x.Value.Data, y.Grad!.Data, g.Data, n, accumulate: true); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Relu(tape, x, y);
        return y;
    }

    /// <summary>GELU, tanh approximation (GPT-2).</summary>
    public static Variable<T> Gelu<T>(this Tape<T> tape, Variable<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = tape.Output(x.Shape, x.RequiresGrad);
        int n = x.Value.Length;
        Elementwise.Map<T, GeluOperator<T>>(x.Value.Data, y.Value.Data, n);
        tape.Record(() => { if (x.Grad is { } g) Elementwise.Map<T, GeluBackwardOperator<T>>(x.Value.Data, y.Grad!.Data, g.Data, n, accumulate: true); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Gelu(tape, x, y);
        return y;
    }

    /// <summary>Inverted dropout with probability <paramref name="p"/>; identity when not training or p = 0.
    /// The mask is a function of <paramref name="seed"/> only.</summary>
    public static Variable<T> Dropout<T>(this Tape<T> tape, Variable<T> x, double p, bool training, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        if (!training || p == 0) return x;
        var mask = tape.Buffer(x.Shape, clear: false);
        DropoutMask.Fill(mask.Data, mask.Length, p, seed);
        var y = tape.Output(x.Shape, x.RequiresGrad);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Value.Span, mask.Span, y.Value.Span);
        tape.Record(() => { if (x.Grad is { } g) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y.Grad!.Span, mask.Span, g.Span, g.Span); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Dropout(tape, x, y, mask);
        return y;
    }
}
