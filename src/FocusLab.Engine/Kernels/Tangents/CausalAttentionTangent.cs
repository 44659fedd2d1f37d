using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Engine.Kernels.Tangents;

/// <summary>
/// Tangents of fused causal self-attention (<see cref="CausalAttention"/>). Per (batch, head), with
/// Q, K, V the head's strided views of qkv, s = 1/√hs, S = s·QKᵀ, P = causal softmax(S), O = PV:
///   forward   Ṡ = s(Q̇Kᵀ + QK̇ᵀ),  Ṗ = P⊙(Ṡ − rowsum(P⊙Ṡ)),  Ȯ = ṖV + PV̇;
///   backward  dP = dO·Vᵀ, ρ = rowsum(P⊙dP), dS = s·P⊙(dP − ρ), dQ = dS·K, dK = dSᵀQ, dV = PᵀdO,
///   differentiated: (dP)˙ = (dO)˙Vᵀ + dO·V̇ᵀ, ρ̇ = rowsum(Ṗ⊙dP + P⊙(dP)˙),
///   (dS)˙ = s·(Ṗ⊙(dP − ρ) + P⊙((dP)˙ − ρ̇)), (dQ)˙ += (dS)˙K + dS·K̇, (dK)˙ += (dS)˙ᵀQ + dSᵀQ̇,
///   (dV)˙ += ṖᵀdO + Pᵀ(dO)˙.
/// A straightforward kernel on full T×T blocks (no triangle skipping): Ṗ is kept [B, nh, T, T] for the
/// backward pass, dP and dS are recomputed. Only the causal (lower) triangle of the forward kernel's
/// probabilities is read — it is copied into a zero-padded scratch — so this kernel does not depend on
/// what the forward kernel leaves above the diagonal. Each (batch, head) writes disjoint memory and work is
/// split by <see cref="Parallelism.ForRows"/>, so results do not depend on the thread count.
/// </summary>
public static class CausalAttentionTangent
{
    /// <summary>Writes Ṗ into <paramref name="attDot"/> and Ȯ into <paramref name="outDot"/> [B, T, C].</summary>
    public static void Forward<T>(T[] qkv, T[] qkvDot, T[] att, T[] attDot, T[] outDot, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(b * nh, 2 * t * t * (c / nh), (p0, p1) => ForwardHeads(qkv, qkvDot, att, attDot, outDot, t, c, nh, p0, p1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardHeads<T>(T[] qkv, T[] qkvDot, T[] att, T[] attDot, T[] outDot, int t, int c, int nh, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh, ld = 3 * c;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        var sDot = new T[t * t]; var P = new T[t * t];
        for (int p = p0; p < p1; p++)
        {
            int bi = p / nh, h = p % nh;
            int q0 = bi * t * ld + h * hs, o0 = bi * t * c + h * hs;
            CausalProbabilities(att, p, t, P);
            var pDot = attDot.AsSpan(p * t * t, t * t);
            SmallGemm.Multiply(false, true, t, t, hs, scale, qkvDot.AsSpan(q0), ld, qkv.AsSpan(q0 + c), ld, T.Zero, sDot, t);
            SmallGemm.Multiply(false, true, t, t, hs, scale, qkv.AsSpan(q0), ld, qkvDot.AsSpan(q0 + c), ld, T.One, sDot, t);
            for (int i = 0; i < t; i++)
            {
                var pr = P.AsSpan(i * t, i + 1);
                var sd = sDot.AsSpan(i * t, i + 1);
                T rho = TensorPrimitives.Dot<T>(pr, sd);
                var pdr = pDot.Slice(i * t, t);
                for (int s = 0; s <= i; s++) pdr[s] = pr[s] * (sd[s] - rho);
                pdr[(i + 1)..].Clear();
            }
            SmallGemm.Multiply(false, false, t, hs, t, T.One, pDot, t, qkv.AsSpan(q0 + 2 * c), ld, T.Zero, outDot.AsSpan(o0), c);
            SmallGemm.Multiply(false, false, t, hs, t, T.One, P, t, qkvDot.AsSpan(q0 + 2 * c), ld, T.One, outDot.AsSpan(o0), c);
        }
    }

    /// <summary>Accumulates the gradient tangent of qkv into <paramref name="dqkvDot"/>.</summary>
    public static void Backward<T>(T[] qkv, T[] qkvDot, T[] att, T[] attDot, T[] dout, T[] doutDot, T[] dqkvDot, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(b * nh, 5 * t * t * (c / nh), (p0, p1) => BackwardHeads(qkv, qkvDot, att, attDot, dout, doutDot, dqkvDot, t, c, nh, p0, p1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardHeads<T>(T[] qkv, T[] qkvDot, T[] att, T[] attDot, T[] dout, T[] doutDot, T[] dqkvDot, int t, int c, int nh, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh, ld = 3 * c;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        var dP = new T[t * t]; var dPDot = new T[t * t]; var P = new T[t * t];
        for (int p = p0; p < p1; p++)
        {
            int bi = p / nh, h = p % nh;
            int q0 = bi * t * ld + h * hs, o0 = bi * t * c + h * hs;
            CausalProbabilities(att, p, t, P);
            var pDot = attDot.AsSpan(p * t * t, t * t);
            var dO = dout.AsSpan(o0); var dODot = doutDot.AsSpan(o0);
            var V = qkv.AsSpan(q0 + 2 * c); var VDot = qkvDot.AsSpan(q0 + 2 * c);
            SmallGemm.Multiply(false, true, t, t, hs, T.One, dO, c, V, ld, T.Zero, dP, t);
            SmallGemm.Multiply(false, true, t, t, hs, T.One, dODot, c, V, ld, T.Zero, dPDot, t);
            SmallGemm.Multiply(false, true, t, t, hs, T.One, dO, c, VDot, ld, T.One, dPDot, t);
            // (dV)˙ += ṖᵀdO + Pᵀ(dO)˙
            SmallGemm.Multiply(true, false, t, hs, t, T.One, pDot, t, dO, c, T.One, dqkvDot.AsSpan(q0 + 2 * c), ld);
            SmallGemm.Multiply(true, false, t, hs, t, T.One, P, t, dODot, c, T.One, dqkvDot.AsSpan(q0 + 2 * c), ld);
            for (int i = 0; i < t; i++)
            {
                var pr = P.AsSpan(i * t, i + 1); var pdr = pDot.Slice(i * t, i + 1);
                var dr = dP.AsSpan(i * t, t); var ddr = dPDot.AsSpan(i * t, t);
                T rho = TensorPrimitives.Dot<T>(pr, dr[..(i + 1)]);
                T rhoDot = TensorPrimitives.Dot<T>(pdr, dr[..(i + 1)]) + TensorPrimitives.Dot<T>(pr, ddr[..(i + 1)]);
                for (int s = 0; s <= i; s++)
                {
                    T centred = dr[s] - rho;
                    ddr[s] = (pdr[s] * centred + pr[s] * (ddr[s] - rhoDot)) * scale; // (dS)˙
                    dr[s] = pr[s] * centred * scale;                                  // dS
                }
                dr[(i + 1)..].Clear();
                ddr[(i + 1)..].Clear();
            }
            var Q = qkv.AsSpan(q0); var QDot = qkvDot.AsSpan(q0);
            var K = qkv.AsSpan(q0 + c); var KDot = qkvDot.AsSpan(q0 + c);
            // (dQ)˙ += (dS)˙K + dS·K̇;  (dK)˙ += (dS)˙ᵀQ + dSᵀQ̇
            SmallGemm.Multiply(false, false, t, hs, t, T.One, dPDot, t, K, ld, T.One, dqkvDot.AsSpan(q0), ld);
            SmallGemm.Multiply(false, false, t, hs, t, T.One, dP, t, KDot, ld, T.One, dqkvDot.AsSpan(q0), ld);
            SmallGemm.Multiply(true, false, t, hs, t, T.One, dPDot, t, Q, ld, T.One, dqkvDot.AsSpan(q0 + c), ld);
            SmallGemm.Multiply(true, false, t, hs, t, T.One, dP, t, QDot, ld, T.One, dqkvDot.AsSpan(q0 + c), ld);
        }
    }

    /// <summary>The lower triangle (keys s ≤ query i) of head <paramref name="p"/>'s probabilities, zeros above.</summary>
    private static void CausalProbabilities<T>(T[] att, int p, int t, T[] lower) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < t; i++)
        {
            att.AsSpan(p * t * t + i * t, i + 1).CopyTo(lower.AsSpan(i * t, i + 1));
            lower.AsSpan(i * t + i + 1, t - i - 1).Clear();
        }
    }
}
