using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Vectorised Box–Muller transform (Box & Muller 1958): z0 = r cos φ, z1 = r sin φ with
/// r = √(−2 ln u1), φ = 2π u2. The logarithm and sine/cosine are short polynomials accurate to about
/// 1e-7 relative, which is below float32 resolution of the resulting draws; u1 has 24 bits, so the
/// largest |z| is √(48 ln 2) ≈ 5.77 (tail mass beyond it: 8e-9).
/// </summary>
internal static class FastNormal
{
    private const float Ln2 = 0.693147180559945f;
    private const float Sqrt2 = 1.41421356237f;

    /// <summary>Natural log for positive, finite, normal floats. ln(m·2^e) = e ln 2 + 2 atanh(s), s = (m−1)/(m+1), m ∈ [√½, √2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        var bits = x.AsInt32();
        var e = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127);
        var m = (bits & Vector256.Create(0x007FFFFF) | Vector256.Create(0x3F800000)).AsSingle(); // [1, 2)
        var big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * 0.5f, m);
        e -= big.AsInt32(); // mask is −1 where true
        var s = (m - Vector256<float>.One) / (m + Vector256<float>.One);
        var s2 = s * s;
        // 2·atanh(s) = 2(s + s³/3 + s⁵/5 + s⁷/7 + s⁹/9), |s| ≤ 0.1716: truncation < 1e-9.
        var p = Vector256.FusedMultiplyAdd(s2, Vector256.Create(2f / 9f), Vector256.Create(2f / 7f));
        p = Vector256.FusedMultiplyAdd(s2, p, Vector256.Create(2f / 5f));
        p = Vector256.FusedMultiplyAdd(s2, p, Vector256.Create(2f / 3f));
        p = Vector256.FusedMultiplyAdd(s2, p, Vector256.Create(2f));
        return Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(e), Vector256.Create(Ln2), s * p);
    }

    /// <summary>Box–Muller on two vectors of uniform 32-bit words; returns z0 and writes z1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BoxMuller(Vector256<uint> a, Vector256<uint> b, out Vector256<float> z1)
    {
        // u1 = (k + 1)/2^24 ∈ (0, 1], exact in float32.
        var k = Vector256.ShiftRightLogical(a, 8).AsInt32() + Vector256<int>.One;
        var u1 = Vector256.ConvertToSingle(k) * (1f / 16777216f);
        var r = Vector256.Sqrt(Vector256.Create(-2f) * Log(u1));

        // φ = 2π b/2^32. Split into quadrant q (nearest multiple of π/2) and remainder ρ ∈ [−π/4, π/4).
        var q = Vector256.ShiftRightLogical(b + Vector256.Create(1u << 29), 30);
        var rem = (b - Vector256.ShiftLeft(q, 30)).AsInt32();
        var rho = Vector256.ConvertToSingle(rem) * (float)(2 * Math.PI / 4294967296.0);
        var r2 = rho * rho;
        // Taylor series on |ρ| ≤ π/4: truncation errors < 2e-9 (sin) and < 3e-8 (cos).
        var sp = Vector256.FusedMultiplyAdd(r2, Vector256.Create(1f / 362880f), Vector256.Create(-1f / 5040f));
        sp = Vector256.FusedMultiplyAdd(r2, sp, Vector256.Create(1f / 120f));
        sp = Vector256.FusedMultiplyAdd(r2, sp, Vector256.Create(-1f / 6f));
        var sin = Vector256.FusedMultiplyAdd(rho * r2, sp, rho);
        var cp = Vector256.FusedMultiplyAdd(r2, Vector256.Create(1f / 40320f), Vector256.Create(-1f / 720f));
        cp = Vector256.FusedMultiplyAdd(r2, cp, Vector256.Create(1f / 24f));
        cp = Vector256.FusedMultiplyAdd(r2, cp, Vector256.Create(-0.5f));
        var cos = Vector256.FusedMultiplyAdd(r2, cp, Vector256<float>.One);
        // Rotate (cos ρ, sin ρ) by q quarter turns: q=1 → (−s, c), q=2 → (−c, −s), q=3 → (s, −c).
        var swap = Vector256.Equals(q & Vector256<uint>.One, Vector256<uint>.One).AsSingle();
        var c = Vector256.ConditionalSelect(swap, sin, cos);
        var s = Vector256.ConditionalSelect(swap, cos, sin);
        var cosSign = Vector256.ShiftLeft((q + Vector256<uint>.One) & Vector256.Create(2u), 30).AsSingle();
        var sinSign = Vector256.ShiftLeft(q & Vector256.Create(2u), 30).AsSingle();
        z1 = r * (s ^ sinSign);
        return r * (c ^ cosSign);
    }
}
