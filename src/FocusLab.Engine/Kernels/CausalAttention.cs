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
/// disjoint memory, so the split over cores is exact.
/// </summary>
public static class CausalAttention
{
    public static void Forward<T>(T[] qkv, T[] output, T[] att, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(b * nh, t * t * (c / nh), (p0, p1) => ForwardHeads(qkv, output, att, b, t, c, nh, p0, p1));

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
            // S = Q Kᵀ/√hs (the upper triangle is computed and then masked; it is cheap at these sizes).
            SmallGemm.Multiply(false, true, t, t, hs, scale, qkv.AsSpan(q0), ld, qkv.AsSpan(q0 + c), ld, T.Zero, a, t);
            for (int i = 0; i < t; i++)
            {
                var live = a.Slice(i * t, i + 1);
                TensorPrimitives.Subtract(live, TensorPrimitives.Max<T>(live), live);
                TensorPrimitives.Exp<T>(live, live);
                TensorPrimitives.Divide(live, TensorPrimitives.Sum<T>(live), live);
                a.Slice(i * t + i + 1, t - i - 1).Clear();
            }
            // O = P V, written into the head's columns of out (row stride C).
            SmallGemm.Multiply(false, false, t, hs, t, T.One, a, t, qkv.AsSpan(q0 + 2 * c), ld, T.Zero, output.AsSpan(bi * t * c + h * hs), c);
        }
    }

    /// <summary>
    /// dP = dO Vᵀ; dV += Pᵀ dO; dS = P ⊙ (dP − rowsum(P ⊙ dP))/√hs; dQ += dS K; dK += dSᵀ Q.
    /// </summary>
    public static void Backward<T>(T[] qkv, T[] att, T[] dout, T[] dqkv, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(b * nh, 2 * t * t * (c / nh), (p0, p1) => BackwardHeads(qkv, att, dout, dqkv, b, t, c, nh, p0, p1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardHeads<T>(T[] qkv, T[] att, T[] dout, T[] dqkv, int b, int t, int c, int nh, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh, ld = 3 * c;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        var ds = new T[t * t];
        for (int p = p0; p < p1; p++)
        {
            int bi = p / nh, h = p % nh;
            int q0 = bi * t * ld + h * hs, o0 = bi * t * c + h * hs;
            var a = att.AsSpan(p * t * t, t * t);
            SmallGemm.Multiply(false, true, t, t, hs, T.One, dout.AsSpan(o0), c, qkv.AsSpan(q0 + 2 * c), ld, T.Zero, ds, t);
            SmallGemm.Multiply(true, false, t, hs, t, T.One, a, t, dout.AsSpan(o0), c, T.One, dqkv.AsSpan(q0 + 2 * c), ld);
            for (int i = 0; i < t; i++)
            {
                var pr = a.Slice(i * t, i + 1);
                var dr = ds.AsSpan(i * t, t);
                T weighted = TensorPrimitives.Dot<T>(pr, dr[..(i + 1)]);
                for (int s = 0; s <= i; s++) dr[s] = pr[s] * (dr[s] - weighted) * scale;
                dr[(i + 1)..].Clear();
            }
            SmallGemm.Multiply(false, false, t, hs, t, T.One, ds, t, qkv.AsSpan(q0 + c), ld, T.One, dqkv.AsSpan(q0), ld);
            SmallGemm.Multiply(true, false, t, hs, t, T.One, ds, t, qkv.AsSpan(q0), ld, T.One, dqkv.AsSpan(q0 + c), ld);
        }
    }
}
