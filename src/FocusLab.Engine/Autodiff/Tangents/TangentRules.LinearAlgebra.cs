using System.Numerics;
using System.Numerics.Tensors;
using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Engine.Autodiff;

internal static partial class TangentRules
{
    /// <summary>
    /// y = x·Wᵀ + b: ẏ = ẋ·Wᵀ + x·Ẇᵀ + ḃ. Backward dx += dy·W, dW += dyᵀ·x, db += Σ dy differentiate to
    /// (dx)˙ += (dy)˙·W + dy·Ẇ, (dW)˙ += (dy)˙ᵀ·x + dyᵀ·ẋ, (db)˙ += Σ(dy)˙ — twice the GEMMs of the
    /// ordinary pass, hence the ≈3× cost of an exact HVP.
    /// </summary>
    public static void Linear<T>(Tape<T> tape, Variable<T> x, Variable<T> weight, Variable<T>? bias, Variable<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outF = weight.Shape[0], inF = weight.Shape[1], rows = x.Value.Rows;
        var yd = y.Tangent!.Span;
        bool written = false;
        if (x.Tangent is { } xd) { Gemm.Multiply<T>(false, true, rows, outF, inF, xd.Span, weight.Value.Span, yd); written = true; }
        if (weight.Tangent is { } wd) { Gemm.Multiply<T>(false, true, rows, outF, inF, x.Value.Span, wd.Span, yd, accumulate: written); written = true; }
        if (!written) yd.Clear();
        if (bias?.Tangent is { } bd)
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(yd.Slice(r * outF, outF), bd.Span, yd.Slice(r * outF, outF));
        tape.RecordTangent(() =>
        {
            var dy = y.Grad!.Span; var dyd = y.GradTangent!.Span;
            if (x.GradTangent is { } gx)
            {
                Gemm.Multiply<T>(false, false, rows, inF, outF, dyd, weight.Value.Span, gx.Span, accumulate: true);
                if (weight.Tangent is { } wd2) Gemm.Multiply<T>(false, false, rows, inF, outF, dy, wd2.Span, gx.Span, accumulate: true);
            }
            if (weight.GradTangent is { } gw)
            {
                Gemm.Multiply<T>(true, false, outF, inF, rows, dyd, x.Value.Span, gw.Span, accumulate: true);
                if (x.Tangent is { } xd2) Gemm.Multiply<T>(true, false, outF, inF, rows, dy, xd2.Span, gw.Span, accumulate: true);
            }
            if (bias?.GradTangent is { } gb)
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(gb.Span, dyd.Slice(r * outF, outF), gb.Span);
        });
    }

    /// <summary>
    /// C = op(A)·op(B): Ċ = op(Ȧ)·op(B) + op(A)·op(Ḃ). The backward is bilinear in (dC, A, B), so its
    /// tangent is the same backward applied to ((dC)˙, A, B), (dC, Ȧ, ·) for dB and (dC, ·, Ḃ) for dA.
    /// </summary>
    public static void MatMul<T>(Tape<T> tape, Variable<T> a, Variable<T> b, Variable<T> y, bool transposeA, bool transposeB,
        int batch, int m, int n, int k, bool shared) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int sa = m * k, sb = shared ? 0 : k * n, sc = m * n;
        var yd = y.Tangent!.Span;
        bool written = false;
        if (a.Tangent is { } ad) { Gemm.MultiplyBatched<T>(batch, transposeA, transposeB, m, n, k, ad.Span, sa, b.Value.Span, sb, yd, sc); written = true; }
        if (b.Tangent is { } bd) { Gemm.MultiplyBatched<T>(batch, transposeA, transposeB, m, n, k, a.Value.Span, sa, bd.Span, sb, yd, sc, accumulate: written); written = true; }
        if (!written) yd.Clear();
        tape.RecordTangent(() =>
        {
            var dy = y.Grad!.Span; var dyd = y.GradTangent!.Span;
            var ga = a.GradTangent; var gb = b.GradTangent;
            for (int i = 0; i < batch; i++)
            {
                var A = a.Value.Span.Slice(i * sa, sa);
                var B = b.Value.Span.Slice(i * sb, k * n);
                var dC = dy.Slice(i * sc, sc); var dCd = dyd.Slice(i * sc, sc);
                if (ga is not null)
                {
                    var dA = ga.Span.Slice(i * sa, sa);
                    MatMulInputGradient(dCd, B, dA, transposeA, transposeB, m, n, k);
                    if (b.Tangent is { } bd2) MatMulInputGradient(dC, bd2.Span.Slice(i * sb, k * n), dA, transposeA, transposeB, m, n, k);
                }
                if (gb is not null)
                {
                    var dB = gb.Span.Slice(i * sb, k * n);
                    MatMulWeightGradient(dCd, A, dB, transposeA, transposeB, m, n, k);
                    if (a.Tangent is { } ad2) MatMulWeightGradient(dC, ad2.Span.Slice(i * sa, sa), dB, transposeA, transposeB, m, n, k);
                }
            }
        });
    }

    /// <summary>dA += dC·op(B)ᵀ arranged for op(A) (the ordinary MatMul backward for A).</summary>
    private static void MatMulInputGradient<T>(ReadOnlySpan<T> dC, ReadOnlySpan<T> B, Span<T> dA, bool transposeA, bool transposeB, int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!transposeA) Gemm.Multiply<T>(false, !transposeB, m, k, n, dC, B, dA, accumulate: true);
        else Gemm.Multiply<T>(transposeB, true, k, m, n, B, dC, dA, accumulate: true);
    }

    /// <summary>dB += op(A)ᵀ·dC arranged for op(B) (the ordinary MatMul backward for B).</summary>
    private static void MatMulWeightGradient<T>(ReadOnlySpan<T> dC, ReadOnlySpan<T> A, Span<T> dB, bool transposeA, bool transposeB, int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!transposeB) Gemm.Multiply<T>(!transposeA, false, k, n, m, A, dC, dB, accumulate: true);
        else Gemm.Multiply<T>(true, transposeA, n, k, m, dC, A, dB, accumulate: true);
    }
}
