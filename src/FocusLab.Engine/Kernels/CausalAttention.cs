using System.Numerics;
using System.Numerics.Tensors;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Fused multi-head causal self-attention (Vaswani et al. 2017, eq. 1, with a causal mask):
/// from qkv [B, T, 3C] (q, k, v concatenated, heads of size hs = C/nh inside each) to out [B, T, C],
/// out_t = Σ_{s≤t} softmax_s(q_t·k_s/√hs) v_s. Keeps the probabilities att [B, nh, T, T] for the
/// backward pass. Each (batch, head) pair writes disjoint memory, so the split over cores is exact.
/// </summary>
public static class CausalAttention
{
    public static void Forward<T>(T[] qkv, T[] output, T[] att, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        Parallelism.ForRows(b * nh, t * t * hs, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int bi = p / nh, h = p % nh;
                int baseQkv = bi * t * 3 * c;
                for (int ti = 0; ti < t; ti++)
                {
                    var q = qkv.AsSpan(baseQkv + ti * 3 * c + h * hs, hs);
                    var row = att.AsSpan(((bi * nh + h) * t + ti) * t, t);
                    for (int s = 0; s <= ti; s++)
                        row[s] = scale * TensorPrimitives.Dot<T>(q, qkv.AsSpan(baseQkv + s * 3 * c + c + h * hs, hs));
                    var live = row[..(ti + 1)];
                    TensorPrimitives.Subtract(live, TensorPrimitives.Max<T>(live), live);
                    TensorPrimitives.Exp<T>(live, live);
                    TensorPrimitives.Divide(live, TensorPrimitives.Sum<T>(live), live);
                    row[(ti + 1)..].Clear();
                    var o = output.AsSpan((bi * t + ti) * c + h * hs, hs);
                    o.Clear();
                    for (int s = 0; s <= ti; s++)
                        TensorPrimitives.MultiplyAdd(qkv.AsSpan(baseQkv + s * 3 * c + 2 * c + h * hs, hs), row[s], o, o);
                }
            }
        });
    }

    /// <summary>
    /// dv_s += Σ_t p_ts dout_t; dp_ts = dout_t·v_s; dscore = p ⊙ (dp − Σ p dp);
    /// dq_t += Σ_s dscore_ts k_s/√hs; dk_s += Σ_t dscore_ts q_t/√hs.
    /// </summary>
    public static void Backward<T>(T[] qkv, T[] att, T[] dout, T[] dqkv, int b, int t, int c, int nh) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hs = c / nh;
        T scale = T.One / T.Sqrt(T.CreateTruncating(hs));
        Parallelism.ForRows(b * nh, 2 * t * t * hs, (p0, p1) =>
        {
            var dp = new T[t];
            for (int p = p0; p < p1; p++)
            {
                int bi = p / nh, h = p % nh;
                int baseQkv = bi * t * 3 * c;
                for (int ti = 0; ti < t; ti++)
                {
                    var row = att.AsSpan(((bi * nh + h) * t + ti) * t, ti + 1);
                    var dO = dout.AsSpan((bi * t + ti) * c + h * hs, hs);
                    for (int s = 0; s <= ti; s++)
                    {
                        dp[s] = TensorPrimitives.Dot<T>(dO, qkv.AsSpan(baseQkv + s * 3 * c + 2 * c + h * hs, hs));
                        var dv = dqkv.AsSpan(baseQkv + s * 3 * c + 2 * c + h * hs, hs);
                        TensorPrimitives.MultiplyAdd(dO, row[s], dv, dv);
                    }
                    T weighted = TensorPrimitives.Dot<T>(row, dp.AsSpan(0, ti + 1));
                    var q = qkv.AsSpan(baseQkv + ti * 3 * c + h * hs, hs);
                    var dq = dqkv.AsSpan(baseQkv + ti * 3 * c + h * hs, hs);
                    for (int s = 0; s <= ti; s++)
                    {
                        T ds = row[s] * (dp[s] - weighted) * scale;
                        TensorPrimitives.MultiplyAdd(qkv.AsSpan(baseQkv + s * 3 * c + c + h * hs, hs), ds, dq, dq);
                        var dk = dqkv.AsSpan(baseQkv + s * 3 * c + c + h * hs, hs);
                        TensorPrimitives.MultiplyAdd(q, ds, dk, dk);
                    }
                }
            }
        });
    }
}
