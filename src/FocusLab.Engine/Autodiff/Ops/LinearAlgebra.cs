using System.Numerics;
using System.Numerics.Tensors;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// y = x·Wᵀ + b over the last dimension: x [..., in], W [out, in] (PyTorch layout), b [out] or null.
    /// Backward: dx += dy·W, dW += dyᵀ·x, db += Σ_rows dy (rows summed in order).
    /// </summary>
    public static Variable<T> Linear<T>(this Tape<T> tape, Variable<T> x, Variable<T> weight, Variable<T>? bias = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weight.Shape.Length != 2) throw new ArgumentException($"Linear weight must be [out, in], got {Shapes.Format(weight.Shape)}.");
        int outF = weight.Shape[0], inF = weight.Shape[1];
        if (x.Value.LastDim != inF) throw new ArgumentException($"Linear expects inputs with last dimension {inF}, got {Shapes.Format(x.Shape)}.");
        if (bias is not null && bias.Value.Length != outF) throw new ArgumentException($"Linear bias must have {outF} elements, got {Shapes.Format(bias.Shape)}.");
        int rows = x.Value.Rows;
        var shape = (int[])x.Shape.Clone();
        shape[^1] = outF;
        var y = tape.Output(shape, x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));
        Gemm.Multiply<T>(false, true, rows, outF, inF, x.Value.Span, weight.Value.Span, y.Value.Span);
        if (bias is not null)
            for (int r = 0; r < rows; r++)
                TensorPrimitives.Add(y.Value.Data.AsSpan(r * outF, outF), bias.Value.Span, y.Value.Data.AsSpan(r * outF, outF));
        tape.Record(() =>
        {
            var dy = y.Grad!.Span;
            if (x.Grad is { } dx && weight.Grad is { } dw)
                // Independent products of equal size: one per core at the same time.
                Gemm.MultiplyConcurrently(new GemmTask<T>(false, false, rows, inF, outF, y.Grad.Data, weight.Value.Data, dx.Data, Accumulate: true),
                    new GemmTask<T>(true, false, outF, inF, rows, y.Grad.Data, x.Value.Data, dw.Data, Accumulate: true));
            else if (x.Grad is { } dxOnly) Gemm.Multiply<T>(false, false, rows, inF, outF, dy, weight.Value.Span, dxOnly.Span, accumulate: true);
            else if (weight.Grad is { } dwOnly) Gemm.Multiply<T>(true, false, outF, inF, rows, dy, x.Value.Span, dwOnly.Span, accumulate: true);
            if (bias?.Grad is { } db)
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(db.Span, dy.Slice(r * outF, outF), db.Span);
        });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Linear(tape, x, weight, bias, y);
        return y;
    }

    /// <summary>
    /// Batched matrix product C = op(A)·op(B) over the last two dimensions; leading dimensions must match,
    /// or B may be a single matrix shared by the batch.
    /// </summary>
    public static Variable<T> MatMul<T>(this Tape<T> tape, Variable<T> a, Variable<T> b, bool transposeA = false, bool transposeB = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Shape.Length < 2 || b.Shape.Length < 2) throw new ArgumentException($"MatMul needs matrices, got {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}.");
        int ar = a.Shape[^2], ac = a.Shape[^1], br = b.Shape[^2], bc = b.Shape[^1];
        int m = transposeA ? ac : ar, k = transposeA ? ar : ac;
        int kb = transposeB ? bc : br, n = transposeB ? br : bc;
        if (k != kb) throw new ArgumentException($"MatMul inner dimensions differ: {Shapes.Format(a.Shape)}{(transposeA ? "ᵀ" : "")} · {Shapes.Format(b.Shape)}{(transposeB ? "ᵀ" : "")}.");
        int batch = a.Value.Length / (ar * ac);
        bool shared = b.Shape.Length == 2 && a.Shape.Length > 2;
        if (!shared && !a.Shape.AsSpan(0, a.Shape.Length - 2).SequenceEqual(b.Shape.AsSpan(0, b.Shape.Length - 2)))
            throw new ArgumentException($"MatMul batch dimensions differ: {Shapes.Format(a.Shape)} vs {Shapes.Format(b.Shape)}.");
        var shape = (int[])a.Shape.Clone();
        shape[^2] = m; shape[^1] = n;
        var y = tape.Output(shape, a.RequiresGrad || b.RequiresGrad);
        int sa = m * k, sb = shared ? 0 : k * n, sc = m * n;
        Gemm.MultiplyBatched<T>(batch, transposeA, transposeB, m, n, k, a.Value.Span, sa, b.Value.Span, sb, y.Value.Span, sc);
        tape.Record(() =>
        {
            var dy = y.Grad!.Span;
            for (int i = 0; i < batch; i++)
            {
                var dC = dy.Slice(i * sc, sc);
                var A = a.Value.Span.Slice(i * sa, sa);
                var B = b.Value.Span.Slice(i * sb, k * n);
                if (a.Grad is { } ga)
                {
                    var dA = ga.Span.Slice(i * sa, sa);
                    if (!transposeA) Gemm.Multiply<T>(false, !transposeB, m, k, n, dC, B, dA, accumulate: true);
                    else Gemm.Multiply<T>(transposeB, true, k, m, n, B, dC, dA, accumulate: true);
                }
                if (b.Grad is { } gb)
                {
                    var dB = gb.Span.Slice(i * sb, k * n);
                    if (!transposeB) Gemm.Multiply<T>(!transposeA, false, k, n, m, A, dC, dB, accumulate: true);
                    else Gemm.Multiply<T>(true, transposeA, n, k, m, dC, A, dB, accumulate: true);
                }
            }
        });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.MatMul(tape, a, b, y, transposeA, transposeB, batch, m, n, k, shared);
        return y;
    }
}
