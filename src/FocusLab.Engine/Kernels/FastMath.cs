using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Float32 exp and tanh for the hot elementwise kernels (GELU, softmax, cross-entropy, attention).
/// <see cref="Vector256.Exp(Vector256{float})"/> widens to double to be correctly rounded and costs
/// about 10 ns per vector; this one is a few FMAs.
///
/// exp(x) = 2ⁿ·e^r with n = round(x/ln 2) and r = x − n·ln 2 reduced in two steps (Cody &amp; Waite
/// 1980: ln 2 = L_hi + L_lo with L_hi holding only 9 significant bits, so n·L_hi is exact for
/// |n| ≤ 2¹⁵), |r| ≤ ln2/2. e^r is its Taylor polynomial of degree 7 (truncation error
/// |r|⁸/8! ≤ 5·10⁻⁹ relative, below half an ulp), evaluated by Horner with FMA. 2ⁿ is built from
/// exponent bits in two halves, 2^⌊n/2⌋·2^(n−⌊n/2⌋), so results in the subnormal range are
/// graded (not flushed) and overflow gives +∞. Measured error ≤ 2 ulp over the whole float range
/// (tested against Math.Exp on a dense grid); exp(−∞) = 0, exp(+∞) = +∞, exp(NaN) = NaN.
/// </summary>
public static class FastMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;          // 355/512: 9 significant bits
    private const float Ln2Lo = -2.12194440e-4f;       // ln 2 − Ln2Hi
    private const float RoundingShift = 12582912f;     // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
    private const float Lowest = -104f;                // exp(−104) < 2⁻¹⁵⁰: rounds to 0
    private const float Highest = 89f;                 // exp(89) > float.MaxValue: +∞

    /// <summary>e^x for each lane (≤ 2 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var xc = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(Lowest)), Vector256.Create(Highest));
        // t = x·log2(e) + 1.5·2²³: its low mantissa bits hold n = round(x·log2 e) (|n| ≤ 151 ≪ 2²²).
        var t = Vector256.FusedMultiplyAdd(xc, Vector256.Create(Log2E), Vector256.Create(RoundingShift));
        var n = t - Vector256.Create(RoundingShift);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        // e^r = Σ_{k≤7} r^k/k!, Horner from the top.
        var p = Vector256.Create(1f / 5040f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 720f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        // 2ⁿ = 2^h · 2^(n−h), h = n >> 1 (arithmetic): both factors are normal floats for n ∈ [−151, 129].
        var ni = t.AsInt32() - Vector256.Create(0x4B400000);
        var h = Vector256.ShiftRightArithmetic(ni, 1);
        var s1 = Vector256.ShiftLeft(h + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(ni - h + Vector256.Create(127), 23).AsSingle();
        var y = p * s1 * s2;
        // NaN in, NaN out (the clamp above turned it into a number).
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    /// <summary>
    /// tanh(u) = 1 − 2/(e^{2u} + 1) for each lane: saturates to ±1 when e^{2u} overflows or underflows.
    /// Absolute error ≤ 3·2⁻²⁴ (relative accuracy is lost for |u| ≪ 1, where 1 − 2/(…) cancels;
    /// GELU uses 1 + tanh, whose error this bounds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> u)
    {
        var one = Vector256<float>.One;
        var e = Exp(u + u);
        return one - (one + one) / (e + one);
    }

    /// <summary>Scalar e^x with the same algorithm (for loop tails, so a result does not depend on
    /// whether an element falls in a vector or in a tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x) => Exp(Vector256.Create(x)).ToScalar();

    /// <summary>Scalar tanh with the same algorithm as the vector one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float u) => Tanh(Vector256.Create(u)).ToScalar();
}
