using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Fused multi-head causal self-attention (Vaswani et al. 2017, eq. 1, with a causal mask):
/// from qkv [B, T, 3C] (q, k, v concatenated, heads of size hs = C/nh inside each) to out [B, T, C],
/// out_t = Σ_{s≤t} softmax_s(q_t·k_s/√hs) v_s. Per (batch, head) the products are small GEMMs on
/// strided views of qkv (row stride 3C), so no transposed copies are made. Keeps the probabilities
/// att [B, nh, T, T] (zero above the diagonal) for the backward pass. Each (batch, head) pair writes
/// disjoint memory, so the split over cores is exact. Float32 with head sizes that are multiples
/// of 8 runs the fused AVX2 kernel <see cref="CausalAttentionFloat"/>; this generic body serves
/// float64 (gradient checks) and other head sizes.
/// </summary>
public static class CausalAttention
{
    /// <summary>Keys the generic backward pass's per-thread dS block (<see cref="ThreadScratch{TOwner, T}"/>).</summary>
    private sealed class Scratch;

    /// <summary>out [B, T, C] from qkv [B, T, 3C], keeping the probabilities in att [B, nh, T, T] for the backward pass (b = B, t = T, c = C, nh heads).</summary>
    public static void Forward<T>(T[] qkv, T[] output, T[] att, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && CausalAttentionFloat.Supports(c, nh))
            CausalAttentionFloat.Forward((float[])(object)qkv, (float[])(object)output, (float[])(object)att, b, t, c, nh);
        else
            Parallelism.ForRows(b * nh, t * t * (c / nh), (p0, p1) => ForwardHeads(qkv, output, att, b, t, c, nh, p0, p1));
    }

    /// <summary>Rows per block: a block of query rows only needs the keys up to its last row, so the
    /// products skip the masked upper triangle block by block (about 60% of the full work at T = 64).</summary>
    internal const int RowBlock = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardHeads<T>(T[] qkv, T[] output, T[] att, int b, int t, int c, int nh, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh, ld = 3 * c;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        for (int p = p0; p < p1; p++)
        {
            int bi = p / nh, h = p % nh;
            int q0 = bi * t * ld + h * hs;
            var a = att.AsSpan(p * t * t, t * t);
            for (int r0 = 0; r0 < t; r0 += RowBlock)
            {
                int rows = Math.Min(RowBlock, t - r0), keys = r0 + rows;
                var block = a.Slice(r0 * t);
                // S = Q Kᵀ/√hs for these rows and keys 0..keys−1.
                SmallGemm.Multiply(false, true, rows, keys, hs, scale, qkv.AsSpan(q0 + r0 * ld), ld, qkv.AsSpan(q0 + c), ld, T.Zero, block, t);
                for (int i = r0; i < r0 + rows; i++)
                {
                    var live = a.Slice(i * t, i + 1);
                    TensorPrimitives.Subtract(live, TensorPrimitives.Max<T>(live), live);
                    TensorPrimitives.Exp<T>(live, live);
                    TensorPrimitives.Divide(live, TensorPrimitives.Sum<T>(live), live);
                    a.Slice(i * t + i + 1, t - i - 1).Clear();
                }
                // O = P V, written into the head's columns of out (row stride C).
                SmallGemm.Multiply(false, false, rows, hs, keys, T.One, block, t, qkv.AsSpan(q0 + 2 * c), ld, T.Zero, output.AsSpan((bi * t + r0) * c + h * hs), c);
            }
        }
    }

    /// <summary>
    /// dP = dO Vᵀ; dV += Pᵀ dO; dS = P ⊙ (dP − rowsum(P ⊙ dP))/√hs; dQ += dS K; dK += dSᵀ Q.
    /// </summary>
    public static void Backward<T>(T[] qkv, T[] att, T[] dout, T[] dqkv, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && CausalAttentionFloat.Supports(c, nh))
            CausalAttentionFloat.Backward((float[])(object)qkv, (float[])(object)att, (float[])(object)dout, (float[])(object)dqkv, b, t, c, nh);
        else
            Parallelism.ForRows(b * nh, 2 * t * t * (c / nh), (p0, p1) => BackwardHeads(qkv, att, dout, dqkv, b, t, c, nh, p0, p1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardHeads<T>(T[] qkv, T[] att, T[] dout, T[] dqkv, int b, int t, int c, int nh, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh, ld = 3 * c;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        var ds = ThreadScratch<Scratch, T>.Get(RowBlock * t);
        for (int p = p0; p < p1; p++)
        {
            int bi = p / nh, h = p % nh;
            int q0 = bi * t * ld + h * hs;
            var a = att.AsSpan(p * t * t, t * t);
            for (int r0 = 0; r0 < t; r0 += RowBlock)
            {
                int rows = Math.Min(RowBlock, t - r0), keys = r0 + rows;
                var pBlock = a.Slice(r0 * t);
                var dO = dout.AsSpan((bi * t + r0) * c + h * hs);
                // dP = dO Vᵀ and dV += Pᵀ dO over keys 0..keys−1.
                SmallGemm.Multiply(false, true, rows, keys, hs, T.One, dO, c, qkv.AsSpan(q0 + 2 * c), ld, T.Zero, ds, t);
                SmallGemm.Multiply(true, false, keys, hs, rows, T.One, pBlock, t, dO, c, T.One, dqkv.AsSpan(q0 + 2 * c), ld);
                for (int i = 0; i < rows; i++)
                {
                    int row = r0 + i;
                    var pr = a.Slice(row * t, row + 1);
                    var dr = ds.AsSpan(i * t, keys);
                    T weighted = TensorPrimitives.Dot<T>(pr, dr[..(row + 1)]);
                    for (int s = 0; s <= row; s++) dr[s] = pr[s] * (dr[s] - weighted) * scale;
                    dr[(row + 1)..].Clear();
                }
                // dQ += dS K; dK += dSᵀ Q.
                SmallGemm.Multiply(false, false, rows, hs, keys, T.One, ds, t, qkv.AsSpan(q0 + c), ld, T.One, dqkv.AsSpan(q0 + r0 * ld), ld);
                SmallGemm.Multiply(true, false, keys, hs, rows, T.One, ds, t, qkv.AsSpan(q0 + r0 * ld), ld, T.One, dqkv.AsSpan(q0 + c), ld);
            }
        }
    }
}
