using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using FocusLab.Engine.Kernels;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Kernels.Tangents;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>
/// Forward-over-reverse rules (Pearlmutter's R-operator, Neural Computation 6(1), 1994): for an
/// operation y = f(x, θ) each rule writes the value tangent ẏ = ∂f·(ẋ, θ̇) now and records a backward
/// step that adds the tangent of the operation's backward formula — its product rule in the adjoint
/// (dy)˙ and in the forward quantities — into the inputs' gradient tangents. Called by the operations
/// in <see cref="Ops"/> only when the tape is in tangent mode and the output needs a gradient, so the
/// ordinary path never reaches this code. A null tangent means zero; a null gradient tangent means
/// the input does not want one (constants, leaves without a direction).
/// </summary>
internal static partial class TangentRules
{
    /// <summary>The value tangent of an output none of whose inputs moves.</summary>
    private static void Zero<T>(Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T> => t.Span.Clear();

    internal enum BinaryKind { Add, Subtract, Multiply }

    /// <summary>Add: ẏ = ȧ + ḃ. Subtract: ȧ − ḃ. Multiply: ȧ⊙b + a⊙ḃ, whose backward (ga += dy⊙b,
    /// gb += dy⊙a) differentiates to (ga)˙ += (dy)˙⊙b + dy⊙ḃ, (gb)˙ += (dy)˙⊙a + dy⊙ȧ; broadcast
    /// operands sum their gradient tangents over the repeated positions.</summary>
    public static void Binary<T>(Tape<T> tape, Variable<T> a, Variable<T> b, Variable<T> y, BinaryKind kind) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = y.Value.Length;
        int[]? mapA = null, mapB = null;
        int m = 0; // row-broadcast period of b (a full), or 0
        if (a.Value.Length == n && b.Value.Length == n) { }
        else if (a.Value.Length == n && BroadcastIndex.IsTrailing(y.Shape, b.Shape) && b.Value.Length > 0) m = b.Value.Length;
        else { mapA = BroadcastIndex.Map(y.Shape, a.Shape); mapB = BroadcastIndex.Map(y.Shape, b.Shape); }
        int IndexA(int o) => mapA is null ? o : mapA[o];
        int IndexB(int o) => mapB is null ? (m == 0 ? o : o % m) : mapB[o];

        T[] av = a.Value.Data, bv = b.Value.Data, yd = y.Tangent!.Data;
        T[]? ad = a.Tangent?.Data, bd = b.Tangent?.Data;
        if (mapA is null && m == 0)
        {
            var ys = y.Tangent.Span;
            switch (kind)
            {
                case BinaryKind.Add or BinaryKind.Subtract:
                    if (ad is null) ys.Clear(); else a.Tangent!.Span.CopyTo(ys);
                    if (bd is not null)
                    {
                        if (kind == BinaryKind.Add) TensorPrimitives.Add(ys, b.Tangent!.Span, ys);
                        else TensorPrimitives.Subtract(ys, b.Tangent!.Span, ys);
                    }
                    break;
                default:
                    if (ad is null) ys.Clear(); else TensorPrimitives.Multiply(a.Tangent!.Span, b.Value.Span, ys);
                    if (bd is not null) TensorPrimitives.MultiplyAdd(a.Value.Span, b.Tangent!.Span, ys, ys);
                    break;
            }
        }
        else
        {
            for (int o = 0; o < n; o++)
            {
                int ia = IndexA(o), ib = IndexB(o);
                T da = ad is null ? T.Zero : ad[ia], db = bd is null ? T.Zero : bd[ib];
                yd[o] = kind switch
                {
                    BinaryKind.Add => da + db,
                    BinaryKind.Subtract => da - db,
                    _ => da * bv[ib] + av[ia] * db,
                };
            }
        }
        tape.RecordTangent(() =>
        {
            T[] dy = y.Grad!.Data, dyDot = y.GradTangent!.Data;
            T[]? ga = a.GradTangent?.Data, gb = b.GradTangent?.Data;
            if (mapA is null && m == 0)
            {
                var dys = y.Grad.Span; var dyds = y.GradTangent.Span;
                if (ga is not null)
                {
                    var g = a.GradTangent!.Span;
                    if (kind != BinaryKind.Multiply) TensorPrimitives.Add(g, dyds, g);
                    else
                    {
                        TensorPrimitives.MultiplyAdd(dyds, b.Value.Span, g, g);
                        if (bd is not null) TensorPrimitives.MultiplyAdd(dys, b.Tangent!.Span, g, g);
                    }
                }
                if (gb is not null)
                {
                    var g = b.GradTangent!.Span;
                    if (kind == BinaryKind.Add) TensorPrimitives.Add(g, dyds, g);
                    else if (kind == BinaryKind.Subtract) TensorPrimitives.Subtract(g, dyds, g);
                    else
                    {
                        TensorPrimitives.MultiplyAdd(dyds, a.Value.Span, g, g);
                        if (ad is not null) TensorPrimitives.MultiplyAdd(dys, a.Tangent!.Span, g, g);
                    }
                }
                return;
            }
            // Broadcast: accumulate in output order (deterministic).
            for (int o = 0; o < n; o++)
            {
                int ia = IndexA(o), ib = IndexB(o);
                if (ga is not null)
                    ga[ia] += kind == BinaryKind.Multiply ? dyDot[o] * bv[ib] + (bd is null ? T.Zero : dy[o] * bd[ib]) : dyDot[o];
                if (gb is not null)
                    gb[ib] += kind switch
                    {
                        BinaryKind.Add => dyDot[o],
                        BinaryKind.Subtract => -dyDot[o],
                        _ => dyDot[o] * av[ia] + (ad is null ? T.Zero : dy[o] * ad[ia]),
                    };
            }
        }, "Binary");
    }

    /// <summary>y = s·x: ẏ = s·ẋ, (dx)˙ += s·(dy)˙.</summary>
    public static void Scale<T>(Tape<T> tape, Variable<T> x, Variable<T> y, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Tangent is null) Zero(y.Tangent!); else TensorPrimitives.Multiply(x.Tangent.Span, s, y.Tangent!.Span);
        tape.RecordTangent(() => { if (x.GradTangent is { } g) TensorPrimitives.MultiplyAdd(y.GradTangent!.Span, s, g.Span, g.Span); });
    }

    /// <summary>y = Σx: ẏ = Σẋ, (dx)˙ += (dy)˙.</summary>
    public static void Sum<T>(Tape<T> tape, Variable<T> x, Variable<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        y.Tangent!.Span[0] = x.Tangent is null ? T.Zero : TensorPrimitives.Sum<T>(x.Tangent.Span);
        tape.RecordTangent(() => { if (x.GradTangent is { } g) TensorPrimitives.Add(g.Span, y.GradTangent!.Span[0], g.Span); });
    }

    /// <summary>Dropout with its fixed mask: ẏ = ẋ⊙mask, (dx)˙ += (dy)˙⊙mask.</summary>
    public static void Dropout<T>(Tape<T> tape, Variable<T> x, Variable<T> y, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Tangent is null) Zero(y.Tangent!); else TensorPrimitives.Multiply(x.Tangent.Span, mask.Span, y.Tangent!.Span);
        tape.RecordTangent(() => { if (x.GradTangent is { } g) TensorPrimitives.MultiplyAdd(y.GradTangent!.Span, mask.Span, g.Span, g.Span); });
    }

    /// <summary>ReLU (second derivative 0 away from the kink): ẏ = 1[x>0]·ẋ, (dx)˙ += 1[x>0]·(dy)˙.</summary>
    public static void Relu<T>(Tape<T> tape, Variable<T> x, Variable<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Value.Length;
        if (x.Tangent is null) Zero(y.Tangent!);
        else Elementwise.Map<T, ReluBackwardOperator<T>>(x.Value.Data, x.Tangent.Data, y.Tangent!.Data, n, accumulate: false);
        tape.RecordTangent(() =>
        {
            if (x.GradTangent is { } g) Elementwise.Map<T, ReluBackwardOperator<T>>(x.Value.Data, y.GradTangent!.Data, g.Data, n, accumulate: true);
        });
    }

    /// <summary>GELU: see <see cref="GeluTangent"/>.</summary>
    public static void Gelu<T>(Tape<T> tape, Variable<T> x, Variable<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Value.Length;
        if (x.Tangent is null) Zero(y.Tangent!);
        else GeluTangent.Forward(x.Value.Data, x.Tangent.Data, y.Tangent!.Data, n);
        tape.RecordTangent(() =>
        {
            if (x.GradTangent is { } g) GeluTangent.Backward(x.Value.Data, x.Tangent?.Data, y.Grad!.Data, y.GradTangent!.Data, g.Data, n);
        });
    }

    /// <summary>Row lookup (linear in the table): ẏ = Ẇ[idx], (dW)˙[idx] += (dy)˙.</summary>
    public static void Embedding<T>(Tape<T> tape, int[] indices, int count, Variable<T> weight, Variable<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = weight.Shape[0], c = weight.Shape[1];
        if (weight.Tangent is null) Zero(y.Tangent!);
        else Kernels.Embedding.Forward(indices, weight.Tangent.Data, y.Tangent!.Data, count, v, c);
        tape.RecordTangent(() => { if (weight.GradTangent is { } g) Kernels.Embedding.Backward(indices, y.GradTangent!.Data, g.Data, count, c); });
    }

    /// <summary>A value tensor standing in for a null tangent (zeros, from the arena).</summary>
    private static Tensor<T> OrZeros<T>(Tape<T> tape, Tensor<T>? tangent, int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
        => tangent ?? tape.Buffer(shape, clear: true);

    /// <summary>Causal self-attention: see <see cref="CausalAttentionTangent"/>.</summary>
    public static void CausalSelfAttention<T>(Tape<T> tape, Variable<T> qkv, Variable<T> y, Tensor<T> att, int b, int t, int c, int heads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var qkvDot = OrZeros(tape, qkv.Tangent, qkv.Shape);
        var attDot = tape.Buffer(att.Shape, clear: false);
        CausalAttentionTangent.Forward(qkv.Value.Data, qkvDot.Data, att.Data, attDot.Data, y.Tangent!.Data, b, t, c, heads);
        tape.RecordTangent(() =>
        {
            if (qkv.GradTangent is { } g)
                CausalAttentionTangent.Backward(qkv.Value.Data, qkvDot.Data, att.Data, attDot.Data, y.Grad!.Data, y.GradTangent!.Data, g.Data, b, t, c, heads);
        });
    }
}
