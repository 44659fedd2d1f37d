using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// The float32 body of <see cref="CausalAttention"/> for head sizes that are multiples of 8: one
/// fused pass per (batch, head) with AVX2 FMAs instead of four small GEMMs per 16-row block.
///
/// Scores are vectorised over keys: the head's K (forward) or V (backward) is first transposed into
/// a scratch Kᵀ [hs, Tp] (Tp = T rounded up to 32, zero padded), and two query rows at a time
/// accumulate 2 × 4 vectors of 8 keys over the head dimension (8 independent FMA chains). Products
/// with P or dS (P·V, dS·K, dSᵀ·Q, Pᵀ·dO) are vectorised over the head dimension, 32 columns (four
/// vectors) at a time, with the scalar weight broadcast. The softmax uses
/// <see cref="FastMath.Exp(Vector256{float})"/>.
///
/// Every (batch, head) pair is computed by one thread, in an order that depends only on the
/// shape, into disjoint memory: results are identical for any thread count. Scratch buffers are
/// per thread and reused (no allocation per call once warm).
/// </summary>
internal static class CausalAttentionFloat
{
    /// <summary>Keys per score tile: 4 vectors of 8.</summary>
    private const int KeyTile = 32;

    public static bool Supports(int c, int nh) => Vector256.IsHardwareAccelerated && (c / nh) % 8 == 0;

    private sealed class Owner;

    private static float[] Scratch(int length) => ThreadScratch<Owner, float>.Get(length);

    private static int Padded(int t) => (t + KeyTile - 1) / KeyTile * KeyTile;

    public static void Forward(float[] qkv, float[] output, float[] att, int b, int t, int c, int nh)
    {
        CheckLengths(b, t, c, nh, (qkv, 3, "qkv"), (output, 1, "output"));
        CheckAttention(att, b, t, nh);
        Parallelism.ForRows(b * nh, t * t * (c / nh), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++) ForwardHead(qkv, output, att, t, c, nh, p);
        });
    }

    public static void Backward(float[] qkv, float[] att, float[] dout, float[] dqkv, int b, int t, int c, int nh)
    {
        CheckLengths(b, t, c, nh, (qkv, 3, "qkv"), (dout, 1, "dout"), (dqkv, 3, "dqkv"));
        CheckAttention(att, b, t, nh);
        Parallelism.ForRows(b * nh, 2 * t * t * (c / nh), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++) BackwardHead(qkv, att, dout, dqkv, t, c, nh, p);
        });
    }

    /// <summary>The loops below index without bounds checks, so every buffer is checked once here.</summary>
    private static void CheckLengths(int b, int t, int c, int nh, params (float[] Buffer, int Width, string Name)[] buffers)
    {
        if (b <= 0 || t <= 0 || c <= 0 || nh <= 0 || c % nh != 0)
            throw new ArgumentException($"Invalid attention sizes B={b}, T={t}, C={c}, heads={nh}: all must be positive and C divisible by the heads.");
        foreach (var (buffer, width, name) in buffers)
            if (buffer.Length < (long)b * t * width * c)
                throw new ArgumentException($"Attention buffer {name} has {buffer.Length} elements; [B={b}, T={t}, {width}·C={width * c}] needs {(long)b * t * width * c}.");
    }

    private static void CheckAttention(float[] att, int b, int t, int nh)
    {
        if (att.Length < (long)b * nh * t * t)
            throw new ArgumentException($"Attention probabilities have {att.Length} elements; [B={b}, heads={nh}, T={t}, T] needs {(long)b * nh * t * t}.");
    }

    /// <summary>dst[d·tp + s] = src[s·ld + d] for s &lt; t, zero for t ≤ s &lt; tp.</summary>
    private static void Transpose(ReadOnlySpan<float> src, int ld, int t, int hs, Span<float> dst, int tp)
    {
        for (int d = 0; d < hs; d++)
        {
            var row = dst.Slice(d * tp, tp);
            for (int s = 0; s < t; s++) row[s] = src[s * ld + d];
            row[t..].Clear();
        }
    }

    /// <summary>
    /// Rows ra and rb of A·Bᵀ·scale for keys [0, keys): A rows at a[ra·lda], a[rb·lda] (length hs),
    /// Bᵀ the transposed scratch [hs, tp]. Writes sa[0..Padded(keys)) and sb likewise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreRows(ref float aRowA, ref float aRowB, ref float bt, int hs, int tp, int keys, float scale, ref float sa, ref float sb)
    {
        var vscale = Vector256.Create(scale);
        for (int j0 = 0; j0 < keys; j0 += KeyTile)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
            for (int d = 0; d < hs; d++)
            {
                ref float k = ref Unsafe.Add(ref bt, d * tp + j0);
                var k0 = Vector256.LoadUnsafe(ref k);
                var k1 = Vector256.LoadUnsafe(ref k, 8);
                var k2 = Vector256.LoadUnsafe(ref k, 16);
                var k3 = Vector256.LoadUnsafe(ref k, 24);
                var qa = Vector256.Create(Unsafe.Add(ref aRowA, d));
                var qb = Vector256.Create(Unsafe.Add(ref aRowB, d));
                a0 = Vector256.FusedMultiplyAdd(qa, k0, a0);
                a1 = Vector256.FusedMultiplyAdd(qa, k1, a1);
                a2 = Vector256.FusedMultiplyAdd(qa, k2, a2);
                a3 = Vector256.FusedMultiplyAdd(qa, k3, a3);
                b0 = Vector256.FusedMultiplyAdd(qb, k0, b0);
                b1 = Vector256.FusedMultiplyAdd(qb, k1, b1);
                b2 = Vector256.FusedMultiplyAdd(qb, k2, b2);
                b3 = Vector256.FusedMultiplyAdd(qb, k3, b3);
            }
            (a0 * vscale).StoreUnsafe(ref sa, (nuint)j0);
            (a1 * vscale).StoreUnsafe(ref sa, (nuint)(j0 + 8));
            (a2 * vscale).StoreUnsafe(ref sa, (nuint)(j0 + 16));
            (a3 * vscale).StoreUnsafe(ref sa, (nuint)(j0 + 24));
            (b0 * vscale).StoreUnsafe(ref sb, (nuint)j0);
            (b1 * vscale).StoreUnsafe(ref sb, (nuint)(j0 + 8));
            (b2 * vscale).StoreUnsafe(ref sb, (nuint)(j0 + 16));
            (b3 * vscale).StoreUnsafe(ref sb, (nuint)(j0 + 24));
        }
    }

    /// <summary>out[0..hs) (+)= Σ_{j &lt; count} w[j·wStride] · rows[j·ld + 0..hs), vectorised over hs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedRowSum(ref float w, int wStride, ref float rows, int ld, int count, int hs, ref float dst, bool accumulate)
    {
        int d0 = 0;
        for (; d0 + 32 <= hs; d0 += 32)
        {
            Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default;
            for (int j = 0; j < count; j++)
            {
                var pj = Vector256.Create(Unsafe.Add(ref w, j * wStride));
                ref float v = ref Unsafe.Add(ref rows, j * ld + d0);
                o0 = Vector256.FusedMultiplyAdd(pj, Vector256.LoadUnsafe(ref v), o0);
                o1 = Vector256.FusedMultiplyAdd(pj, Vector256.LoadUnsafe(ref v, 8), o1);
                o2 = Vector256.FusedMultiplyAdd(pj, Vector256.LoadUnsafe(ref v, 16), o2);
                o3 = Vector256.FusedMultiplyAdd(pj, Vector256.LoadUnsafe(ref v, 24), o3);
            }
            ref float o = ref Unsafe.Add(ref dst, d0);
            if (accumulate)
            {
                o0 += Vector256.LoadUnsafe(ref o); o1 += Vector256.LoadUnsafe(ref o, 8);
                o2 += Vector256.LoadUnsafe(ref o, 16); o3 += Vector256.LoadUnsafe(ref o, 24);
            }
            o0.StoreUnsafe(ref o); o1.StoreUnsafe(ref o, 8); o2.StoreUnsafe(ref o, 16); o3.StoreUnsafe(ref o, 24);
        }
        for (; d0 < hs; d0 += 8)
        {
            Vector256<float> o0 = default;
            for (int j = 0; j < count; j++)
                o0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref w, j * wStride)), Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, j * ld + d0)), o0);
            ref float o = ref Unsafe.Add(ref dst, d0);
            if (accumulate) o0 += Vector256.LoadUnsafe(ref o);
            o0.StoreUnsafe(ref o);
        }
    }

    /// <summary>
    /// Two independent weighted row sums over the same count (8 accumulators instead of 4, so the
    /// FMA latency is hidden): dstA (+)= Σ_j wA[j·sA]·rowsA[j·ldA + ·], dstB likewise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedRowSumPair(ref float wA, int sA, ref float rowsA, int ldA, ref float dstA,
        ref float wB, int sB, ref float rowsB, int ldB, ref float dstB, int count, int hs)
    {
        int d0 = 0;
        for (; d0 + 32 <= hs; d0 += 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
            for (int j = 0; j < count; j++)
            {
                var pa = Vector256.Create(Unsafe.Add(ref wA, j * sA));
                var pb = Vector256.Create(Unsafe.Add(ref wB, j * sB));
                ref float ra = ref Unsafe.Add(ref rowsA, j * ldA + d0);
                ref float rb = ref Unsafe.Add(ref rowsB, j * ldB + d0);
                a0 = Vector256.FusedMultiplyAdd(pa, Vector256.LoadUnsafe(ref ra), a0);
                a1 = Vector256.FusedMultiplyAdd(pa, Vector256.LoadUnsafe(ref ra, 8), a1);
                a2 = Vector256.FusedMultiplyAdd(pa, Vector256.LoadUnsafe(ref ra, 16), a2);
                a3 = Vector256.FusedMultiplyAdd(pa, Vector256.LoadUnsafe(ref ra, 24), a3);
                b0 = Vector256.FusedMultiplyAdd(pb, Vector256.LoadUnsafe(ref rb), b0);
                b1 = Vector256.FusedMultiplyAdd(pb, Vector256.LoadUnsafe(ref rb, 8), b1);
                b2 = Vector256.FusedMultiplyAdd(pb, Vector256.LoadUnsafe(ref rb, 16), b2);
                b3 = Vector256.FusedMultiplyAdd(pb, Vector256.LoadUnsafe(ref rb, 24), b3);
            }
            ref float oa = ref Unsafe.Add(ref dstA, d0);
            (a0 + Vector256.LoadUnsafe(ref oa)).StoreUnsafe(ref oa);
            (a1 + Vector256.LoadUnsafe(ref oa, 8)).StoreUnsafe(ref oa, 8);
            (a2 + Vector256.LoadUnsafe(ref oa, 16)).StoreUnsafe(ref oa, 16);
            (a3 + Vector256.LoadUnsafe(ref oa, 24)).StoreUnsafe(ref oa, 24);
            ref float ob = ref Unsafe.Add(ref dstB, d0);
            (b0 + Vector256.LoadUnsafe(ref ob)).StoreUnsafe(ref ob);
            (b1 + Vector256.LoadUnsafe(ref ob, 8)).StoreUnsafe(ref ob, 8);
            (b2 + Vector256.LoadUnsafe(ref ob, 16)).StoreUnsafe(ref ob, 16);
            (b3 + Vector256.LoadUnsafe(ref ob, 24)).StoreUnsafe(ref ob, 24);
        }
        if (d0 < hs)
        {
            // Head sizes that are not multiples of 32: the remaining columns one vector at a time.
            int rest = hs - d0;
            WeightedRowSumTail(ref wA, sA, ref Unsafe.Add(ref rowsA, d0), ldA, count, rest, ref Unsafe.Add(ref dstA, d0));
            WeightedRowSumTail(ref wB, sB, ref Unsafe.Add(ref rowsB, d0), ldB, count, rest, ref Unsafe.Add(ref dstB, d0));
        }
    }

    private static void WeightedRowSumTail(ref float w, int stride, ref float rows, int ld, int count, int width, ref float dst)
    {
        for (int d = 0; d < width; d += 8)
        {
            Vector256<float> o = default;
            for (int j = 0; j < count; j++)
                o = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref w, j * stride)), Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, j * ld + d)), o);
            ref float od = ref Unsafe.Add(ref dst, d);
            (o + Vector256.LoadUnsafe(ref od)).StoreUnsafe(ref od);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardHead(float[] qkv, float[] output, float[] att, int t, int c, int nh, int p)
    {
        int hs = c / nh, ld = 3 * c, tp = Padded(t);
        int bi = p / nh, h = p % nh;
        int q0 = bi * t * ld + h * hs, k0 = q0 + c, v0 = q0 + 2 * c;
        float scale = 1f / MathF.Sqrt(hs);
        var scratch = Scratch(hs * tp + 2 * tp);
        var kt = scratch.AsSpan(0, hs * tp);
        var rowA = scratch.AsSpan(hs * tp, tp);
        var rowB = scratch.AsSpan(hs * tp + tp, tp);
        Transpose(qkv.AsSpan(k0), ld, t, hs, kt, tp);
        ref float q = ref qkv[q0];
        ref float v = ref qkv[v0];
        var a = att.AsSpan(p * t * t, t * t);
        for (int i = 0; i < t; i += 2)
        {
            int i2 = Math.Min(i + 1, t - 1);
            ScoreRows(ref Unsafe.Add(ref q, i * ld), ref Unsafe.Add(ref q, i2 * ld), ref kt[0], hs, tp, i2 + 1, scale,
                ref rowA[0], ref rowB[0]);
            SoftmaxRow(rowA, i, a.Slice(i * t, t));
            if (i2 != i) SoftmaxRow(rowB, i2, a.Slice(i2 * t, t));
        }
        // O = P V in a second sweep (P rows were just written with vector stores; reading them back
        // as scalars right away would stall on store forwarding). Rows in pairs (P[i, i+1] = 0).
        int pairs = t - t % 2;
        for (int i = 0; i < pairs; i += 2)
        {
            ref float outA = ref output[(bi * t + i) * c + h * hs];
            ref float outB = ref output[(bi * t + i + 1) * c + h * hs];
            MemoryMarshal.CreateSpan(ref outA, hs).Clear();
            MemoryMarshal.CreateSpan(ref outB, hs).Clear();
            WeightedRowSumPair(ref a[i * t], 1, ref v, ld, ref outA, ref a[(i + 1) * t], 1, ref v, ld, ref outB, i + 2, hs);
        }
        if (pairs < t)
            WeightedRowSum(ref a[pairs * t], 1, ref v, ld, pairs + 1, hs, ref output[(bi * t + pairs) * c + h * hs], accumulate: false);
    }

    /// <summary>Softmax of scores[0..row] into p[0..row], zeros in p[row+1..t).</summary>
    private static void SoftmaxRow(Span<float> scores, int row, Span<float> p)
    {
        var live = scores[..(row + 1)];
        float max = System.Numerics.Tensors.TensorPrimitives.Max(live);
        float sum = RowSoftmax.ExpShiftedSum(live, max, live);
        System.Numerics.Tensors.TensorPrimitives.Multiply(live, 1f / sum, p[..(row + 1)]);
        p[(row + 1)..].Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardHead(float[] qkv, float[] att, float[] dout, float[] dqkv, int t, int c, int nh, int p)
    {
        int hs = c / nh, ld = 3 * c, tp = Padded(t);
        int bi = p / nh, h = p % nh;
        int q0 = bi * t * ld + h * hs, k0 = q0 + c, v0 = q0 + 2 * c, o0 = bi * t * c + h * hs;
        float scale = 1f / MathF.Sqrt(hs);
        var scratch = Scratch(hs * tp + t * tp + tp);
        var vt = scratch.AsSpan(0, hs * tp);
        var ds = scratch.AsSpan(hs * tp, t * tp);          // dS rows, stride tp
        var spare = scratch.AsSpan(hs * tp + t * tp, tp);  // the unused second row of an odd last pair
        Transpose(qkv.AsSpan(v0), ld, t, hs, vt, tp);
        ref float dO = ref dout[o0];
        var a = att.AsSpan(p * t * t, t * t);
        for (int i = 0; i < t; i += 2)
        {
            int i2 = Math.Min(i + 1, t - 1);
            // dP = dO Vᵀ for rows i, i2 (unscaled), then dS = P ⊙ (dP − ⟨P, dP⟩)·scale in place.
            ref float rowB = ref (i2 == i ? ref spare[0] : ref ds[i2 * tp]);
            ScoreRows(ref Unsafe.Add(ref dO, i * c), ref Unsafe.Add(ref dO, i2 * c), ref vt[0], hs, tp, i2 + 1, 1f,
                ref ds[i * tp], ref rowB);
            SoftmaxGradientRow(a.Slice(i * t, i + 1), ds.Slice(i * tp, i + 1), scale);
            if (i2 != i)
            {
                ds[i * tp + i2] = 0f; // masked: the dQ pass reads row i up to i2
                SoftmaxGradientRow(a.Slice(i2 * t, i2 + 1), ds.Slice(i2 * tp, i2 + 1), scale);
            }
        }
        ref float q = ref qkv[q0];
        ref float k = ref qkv[k0];
        // dQ_i += Σ_{j≤i} dS[i, j] k_j, rows in pairs (dS[i, i+1] is zero, so both run to i+1).
        int iPairs = t - t % 2;
        for (int i = 0; i < iPairs; i += 2)
            WeightedRowSumPair(ref ds[i * tp], 1, ref k, ld, ref dqkv[q0 + i * ld],
                ref ds[(i + 1) * tp], 1, ref k, ld, ref dqkv[q0 + (i + 1) * ld], i + 2, hs);
        if (iPairs < t)
            WeightedRowSum(ref ds[iPairs * tp], 1, ref k, ld, iPairs + 1, hs, ref dqkv[q0 + iPairs * ld], accumulate: true);
        // dK_j += Σ_{i≥j} dS[i, j] q_i and dV_j += Σ_{i≥j} P[i, j] dO_i together.
        for (int j = 0; j < t; j++)
            WeightedRowSumPair(ref ds[j * tp + j], tp, ref Unsafe.Add(ref q, j * ld), ld, ref dqkv[k0 + j * ld],
                ref a[j * t + j], t, ref Unsafe.Add(ref dO, j * c), c, ref dqkv[v0 + j * ld], t - j, hs);
    }

    /// <summary>dS = P ⊙ (dP − ⟨P, dP⟩)·scale over one causal row (dP given in <paramref name="d"/>, overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxGradientRow(ReadOnlySpan<float> pRow, Span<float> d, float scale)
    {
        float dot = RowSoftmax.Dot(pRow, d);
        ref float pr = ref MemoryMarshal.GetReference(pRow);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int n = d.Length, j = 0;
        var vdot = Vector256.Create(dot); var vscale = Vector256.Create(scale);
        for (; j <= n - 8; j += 8)
            (Vector256.LoadUnsafe(ref pr, (nuint)j) * (Vector256.LoadUnsafe(ref dr, (nuint)j) - vdot) * vscale).StoreUnsafe(ref dr, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref dr, j) = Unsafe.Add(ref pr, j) * (Unsafe.Add(ref dr, j) - dot) * scale;
    }
}
