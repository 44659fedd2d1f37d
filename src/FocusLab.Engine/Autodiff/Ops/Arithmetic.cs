using System.Numerics;
using System.Numerics.Tensors;
using FocusLab.Engine.Kernels;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>Elementwise arithmetic with NumPy broadcasting, reductions to a scalar, and reshapes.</summary>
public static partial class Ops
{
    private enum BinaryKind { Add, Subtract, Multiply }

    /// <summary>a + b with NumPy broadcasting; the gradient of a broadcast input is summed over the broadcast axes.</summary>
    public static Variable<T> Add<T>(this Tape<T> tape, Variable<T> a, Variable<T> b) where T : unmanaged, IFloatingPointIeee754<T>
        => WithTangent(tape, a, b, Binary(tape, a, b, BinaryKind.Add), TangentRules.BinaryKind.Add);

    /// <summary>a − b with NumPy broadcasting.</summary>
    public static Variable<T> Subtract<T>(this Tape<T> tape, Variable<T> a, Variable<T> b) where T : unmanaged, IFloatingPointIeee754<T>
        => WithTangent(tape, a, b, Binary(tape, a, b, BinaryKind.Subtract), TangentRules.BinaryKind.Subtract);

    /// <summary>The elementwise product a ⊙ b with NumPy broadcasting.</summary>
    public static Variable<T> Multiply<T>(this Tape<T> tape, Variable<T> a, Variable<T> b) where T : unmanaged, IFloatingPointIeee754<T>
        => WithTangent(tape, a, b, Binary(tape, a, b, BinaryKind.Multiply), TangentRules.BinaryKind.Multiply);

    private static Variable<T> WithTangent<T>(Tape<T> tape, Variable<T> a, Variable<T> b, Variable<T> y, TangentRules.BinaryKind kind) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Binary(tape, a, b, y, kind);
        return y;
    }

    private static Variable<T> Binary<T>(Tape<T> tape, Variable<T> a, Variable<T> b, BinaryKind kind) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = Shapes.Broadcast(a.Shape, b.Shape);
        var y = tape.Output(shape, a.RequiresGrad || b.RequiresGrad);
        int n = y.Value.Length;
        T[] av = a.Value.Data, bv = b.Value.Data, yv = y.Value.Data;
        bool same = a.Value.Length == n && b.Value.Length == n;
        if (same)
        {
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(a.Value.Span, b.Value.Span, y.Value.Span); break;
                case BinaryKind.Subtract: TensorPrimitives.Subtract(a.Value.Span, b.Value.Span, y.Value.Span); break;
                default: TensorPrimitives.Multiply(a.Value.Span, b.Value.Span, y.Value.Span); break;
            }
            tape.Record(() =>
            {
                var dy = y.Grad!.Span;
                if (a.Grad is { } ga)
                {
                    if (kind == BinaryKind.Multiply) TensorPrimitives.MultiplyAdd(dy, b.Value.Span, ga.Span, ga.Span);
                    else TensorPrimitives.Add(ga.Span, dy, ga.Span);
                }
                if (b.Grad is { } gb)
                {
                    if (kind == BinaryKind.Multiply) TensorPrimitives.MultiplyAdd(dy, a.Value.Span, gb.Span, gb.Span);
                    else if (kind == BinaryKind.Subtract) TensorPrimitives.Subtract(gb.Span, dy, gb.Span);
                    else TensorPrimitives.Add(gb.Span, dy, gb.Span);
                }
            });
            return y;
        }
        if (a.Value.Length == n && BroadcastIndex.IsTrailing(shape, b.Shape) && b.Value.Length > 0)
        {
            // Row broadcast (bias [C] on [N, C], positions [T, C] on [B, T, C]): b repeats every m elements.
            int m = b.Value.Length, rows = n / m;
            for (int r = 0; r < rows; r++)
            {
                var ar = a.Value.Data.AsSpan(r * m, m); var yr = y.Value.Data.AsSpan(r * m, m);
                switch (kind)
                {
                    case BinaryKind.Add: TensorPrimitives.Add(ar, b.Value.Span, yr); break;
                    case BinaryKind.Subtract: TensorPrimitives.Subtract(ar, b.Value.Span, yr); break;
                    default: TensorPrimitives.Multiply(ar, b.Value.Span, yr); break;
                }
            }
            tape.Record(() =>
            {
                var dyAll = y.Grad!.Data;
                for (int r = 0; r < rows; r++)
                {
                    var dy = dyAll.AsSpan(r * m, m);
                    if (a.Grad is { } ga)
                    {
                        var g = ga.Data.AsSpan(r * m, m);
                        if (kind == BinaryKind.Multiply) TensorPrimitives.MultiplyAdd(dy, b.Value.Span, g, g);
                        else TensorPrimitives.Add(g, dy, g);
                    }
                    if (b.Grad is { } gb)
                    {
                        if (kind == BinaryKind.Multiply) TensorPrimitives.MultiplyAdd(dy, a.Value.Data.AsSpan(r * m, m), gb.Span, gb.Span);
                        else if (kind == BinaryKind.Subtract) TensorPrimitives.Subtract(gb.Span, dy, gb.Span);
                        else TensorPrimitives.Add(gb.Span, dy, gb.Span);
                    }
                }
            });
            return y;
        }
        // General broadcasting through offset maps (the models only use same-shape operands and row
        // broadcasts, so simplicity wins over speed here).
        var mapA = BroadcastIndex.Map(shape, a.Shape);
        var mapB = BroadcastIndex.Map(shape, b.Shape);
        for (int o = 0; o < n; o++)
            yv[o] = Apply(kind, av[mapA[o]], bv[mapB[o]]);
        tape.Record(() =>
        {
            var dy = y.Grad!.Data;
            T[]? ga = a.Grad?.Data, gb = b.Grad?.Data;
            for (int o = 0; o < n; o++)
            {
                T g = dy[o];
                if (ga is not null) ga[mapA[o]] += kind == BinaryKind.Multiply ? g * bv[mapB[o]] : g;
                if (gb is not null) gb[mapB[o]] += kind switch { BinaryKind.Multiply => g * av[mapA[o]], BinaryKind.Subtract => -g, _ => g };
            }
        });
        return y;
    }

    private static T Apply<T>(BinaryKind kind, T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => kind switch
    {
        BinaryKind.Add => x + y,
        BinaryKind.Subtract => x - y,
        _ => x * y,
    };

    /// <summary>y = s·x.</summary>
    public static Variable<T> Scale<T>(this Tape<T> tape, Variable<T> x, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = tape.Output(x.Shape, x.RequiresGrad);
        TensorPrimitives.Multiply(x.Value.Span, s, y.Value.Span);
        tape.Record(() => { if (x.Grad is { } g) TensorPrimitives.MultiplyAdd(y.Grad!.Span, s, g.Span, g.Span); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Scale(tape, x, y, s);
        return y;
    }

    /// <summary>Sum of all elements (a scalar of shape [1]).</summary>
    public static Variable<T> Sum<T>(this Tape<T> tape, Variable<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = tape.Output([1], x.RequiresGrad);
        y.Value.Span[0] = TensorPrimitives.Sum<T>(x.Value.Span);
        tape.Record(() => { if (x.Grad is { } g) TensorPrimitives.Add(g.Span, y.Grad!.Span[0], g.Span); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Sum(tape, x, y);
        return y;
    }

    /// <summary>Mean of all elements (a scalar of shape [1]).</summary>
    public static Variable<T> Mean<T>(this Tape<T> tape, Variable<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => tape.Scale(tape.Sum(x), T.One / T.CreateTruncating(x.Value.Length));

    /// <summary>A view with a new shape (one dimension may be -1); shares value and gradient buffers.</summary>
    public static Variable<T> Reshape<T>(this Tape<T> tape, Variable<T> x, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
        => Tape<T>.View(x, Shapes.Resolve(shape, x.Value.Length));
}
