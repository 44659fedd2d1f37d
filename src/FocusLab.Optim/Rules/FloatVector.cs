using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FocusLab.Optim;

/// <summary>
/// A SIMD vector of floats of any width, so an update rule is written once and run on
/// <see cref="Vector128{T}"/>, <see cref="Vector256{T}"/> or <see cref="Vector512{T}"/> (.NET's own
/// ISimdVector is internal). Implemented by <see cref="FloatVector128"/>, <see cref="FloatVector256"/>
/// and <see cref="FloatVector512"/>; every member inlines to one or a few instructions.
/// </summary>
/// <typeparam name="TSelf">The implementing vector type.</typeparam>
public interface IFloatVector<TSelf> where TSelf : struct, IFloatVector<TSelf>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }
    /// <summary>Every lane = <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);
    /// <summary>Loads Count floats at <paramref name="source"/> + <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref float source, nuint index);
    /// <summary>Stores the lanes at <paramref name="destination"/> + <paramref name="index"/>.</summary>
    static abstract void Store(TSelf value, ref float destination, nuint index);
    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);
    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf left, TSelf right);
    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);
    /// <summary>Lane-wise quotient.</summary>
    static abstract TSelf operator /(TSelf left, TSelf right);
    /// <summary>Lane-wise negation.</summary>
    static abstract TSelf operator -(TSelf value);
    /// <summary>left·right + addend rounded once (IEEE fused multiply-add).</summary>
    static abstract TSelf Fma(TSelf left, TSelf right, TSelf addend);
    /// <summary>Lane-wise square root.</summary>
    static abstract TSelf Sqrt(TSelf value);
    /// <summary>Lane-wise |x|.</summary>
    static abstract TSelf Abs(TSelf value);
    /// <summary>Lane-wise minimum.</summary>
    static abstract TSelf Min(TSelf left, TSelf right);
    /// <summary>Lane-wise maximum.</summary>
    static abstract TSelf Max(TSelf left, TSelf right);
    /// <summary>sign(x) with sign(0) = sign(NaN) = 0 (docs/equations.md#conventions).</summary>
    static abstract TSelf Sign(TSelf value);
    /// <summary>exp(x), lane-wise (.NET's vector Exp).</summary>
    static abstract TSelf Exp(TSelf value);
    /// <summary>log(x), lane-wise (.NET's vector Log).</summary>
    static abstract TSelf Log(TSelf value);
    /// <summary>The float whose bits are (magic − bits(x)/3): the starting guess of <see cref="FloatVectorMath.Cbrt{TVec}"/> (converted with the platform's native, non-saturating instruction: only a guess, identical for every width on one machine).</summary>
    static abstract TSelf InverseCbrtGuess(TSelf value, int magic);
    /// <summary>x where x is finite, 0 where it is ±∞ or NaN (a group statistic that does not exist gives no step).</summary>
    static abstract TSelf FiniteOrZero(TSelf value);
}

/// <summary>Functions built from <see cref="IFloatVector{TSelf}"/> operations (one definition for every width).</summary>
public static class FloatVectorMath
{
    // Cube root of x ≥ 0 without division: r ≈ x^(−1/3) from an exponent-thirding bit trick (a few %
    // off), three Newton steps r ← r(4 − x r³)/3 (quadratic convergence, no division), then
    // cbrt(x) = x·r². Worst relative error 4.3e-7 over 1e-35…1e35; x = 0 gives exactly 0. S3 with
    // p = 3 needs it on every coordinate, where exp(log(x)/3) or Newton with divisions is compute-bound.
    private const int InverseCbrtMagic = 0x54A2FA8C;

    /// <summary>∛x for x ≥ 0 (relative error ≤ 4.3e-7; exactly 0 at 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Cbrt<TVec>(TVec x) where TVec : struct, IFloatVector<TVec>
    {
        var third = TVec.Create(1f / 3f); var four = TVec.Create(4f);
        var r = TVec.InverseCbrtGuess(x, InverseCbrtMagic);
        r = r * (four - x * r * r * r) * third;
        r = r * (four - x * r * r * r) * third;
        r = r * (four - x * r * r * r) * third;
        return x * r * r;
    }

    /// <summary>x^p for x ≥ 0: exact products for p = 2 and 3, exp(p·log x) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Pow<TVec>(TVec x, float p) where TVec : struct, IFloatVector<TVec> => p switch
    {
        2f => x * x,
        3f => x * x * x,
        _ => TVec.Exp(TVec.Create(p) * TVec.Log(x)),
    };

    /// <summary>x^(1/p) for x ≥ 0: square root for p = 2, <see cref="Cbrt{TVec}"/> for p = 3, exp(log(x)/p) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Root<TVec>(TVec x, float p, float inverseP) where TVec : struct, IFloatVector<TVec> => p switch
    {
        2f => TVec.Sqrt(x),
        3f => Cbrt(x),
        _ => TVec.Exp(TVec.Create(inverseP) * TVec.Log(x)),
    };
}

/// <summary>128-bit float vector (4 lanes).</summary>
/// <param name="V">The wrapped vector.</param>
public readonly record struct FloatVector128(Vector128<float> V) : IFloatVector<FloatVector128>
{
    /// <inheritdoc/>
    public static int Count => Vector128<float>.Count;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Create(float value) => new(Vector128.Create(value));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Load(ref float source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatVector128 value, ref float destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 operator +(FloatVector128 l, FloatVector128 r) => new(l.V + r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 operator -(FloatVector128 l, FloatVector128 r) => new(l.V - r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 operator *(FloatVector128 l, FloatVector128 r) => new(l.V * r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 operator /(FloatVector128 l, FloatVector128 r) => new(l.V / r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 operator -(FloatVector128 v) => new(-v.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Fma(FloatVector128 l, FloatVector128 r, FloatVector128 a) => new(Vector128.FusedMultiplyAdd(l.V, r.V, a.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Sqrt(FloatVector128 v) => new(Vector128.Sqrt(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Abs(FloatVector128 v) => new(Vector128.Abs(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Min(FloatVector128 l, FloatVector128 r) => new(Vector128.Min(l.V, r.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Max(FloatVector128 l, FloatVector128 r) => new(Vector128.Max(l.V, r.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector128 Sign(FloatVector128 v) => Avx512F.VL.IsSupported
        ? new(Avx512F.VL.Fixup(v.V, v.V, Vector128.Create(SignFixup.Table), 0))
        : new((Vector128.GreaterThan(v.V, Vector128<float>.Zero) & Vector128<float>.One) - (Vector128.LessThan(v.V, Vector128<float>.Zero) & Vector128<float>.One));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Exp(FloatVector128 v) => new(Vector128.Exp(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector128 Log(FloatVector128 v) => new(Vector128.Log(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector128 FiniteOrZero(FloatVector128 v) =>
        new(v.V & Vector128.LessThan(Vector128.Abs(v.V), Vector128.Create(float.PositiveInfinity)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector128 InverseCbrtGuess(FloatVector128 v, int magic) =>
        new((Vector128.Create(magic) - Vector128.ConvertToInt32Native(Vector128.ConvertToSingle(v.V.AsInt32()) * Vector128.Create(1f / 3f))).AsSingle());
}

/// <summary>256-bit float vector (8 lanes).</summary>
/// <param name="V">The wrapped vector.</param>
public readonly record struct FloatVector256(Vector256<float> V) : IFloatVector<FloatVector256>
{
    /// <inheritdoc/>
    public static int Count => Vector256<float>.Count;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Create(float value) => new(Vector256.Create(value));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Load(ref float source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatVector256 value, ref float destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 operator +(FloatVector256 l, FloatVector256 r) => new(l.V + r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 operator -(FloatVector256 l, FloatVector256 r) => new(l.V - r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 operator *(FloatVector256 l, FloatVector256 r) => new(l.V * r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 operator /(FloatVector256 l, FloatVector256 r) => new(l.V / r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 operator -(FloatVector256 v) => new(-v.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Fma(FloatVector256 l, FloatVector256 r, FloatVector256 a) => new(Vector256.FusedMultiplyAdd(l.V, r.V, a.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Sqrt(FloatVector256 v) => new(Vector256.Sqrt(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Abs(FloatVector256 v) => new(Vector256.Abs(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Min(FloatVector256 l, FloatVector256 r) => new(Vector256.Min(l.V, r.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Max(FloatVector256 l, FloatVector256 r) => new(Vector256.Max(l.V, r.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector256 Sign(FloatVector256 v) => Avx512F.VL.IsSupported
        ? new(Avx512F.VL.Fixup(v.V, v.V, Vector256.Create(SignFixup.Table), 0))
        : Avx.IsSupported
        // ±1 with x's sign bit, kept where x ≠ 0 and x is not NaN (an ordered compare): 4 instructions instead of 5.
        ? new(((v.V & Vector256.Create(-0f)) | Vector256<float>.One) & Avx.Compare(v.V, Vector256<float>.Zero, FloatComparisonMode.OrderedNotEqualNonSignaling))
        : new((Vector256.GreaterThan(v.V, Vector256<float>.Zero) & Vector256<float>.One) - (Vector256.LessThan(v.V, Vector256<float>.Zero) & Vector256<float>.One));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Exp(FloatVector256 v) => new(Vector256.Exp(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector256 Log(FloatVector256 v) => new(Vector256.Log(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector256 FiniteOrZero(FloatVector256 v) =>
        new(v.V & Vector256.LessThan(Vector256.Abs(v.V), Vector256.Create(float.PositiveInfinity)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector256 InverseCbrtGuess(FloatVector256 v, int magic) =>
        new((Vector256.Create(magic) - Vector256.ConvertToInt32Native(Vector256.ConvertToSingle(v.V.AsInt32()) * Vector256.Create(1f / 3f))).AsSingle());
}

/// <summary>512-bit float vector (16 lanes).</summary>
/// <param name="V">The wrapped vector.</param>
public readonly record struct FloatVector512(Vector512<float> V) : IFloatVector<FloatVector512>
{
    /// <inheritdoc/>
    public static int Count => Vector512<float>.Count;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Create(float value) => new(Vector512.Create(value));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Load(ref float source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatVector512 value, ref float destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 operator +(FloatVector512 l, FloatVector512 r) => new(l.V + r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 operator -(FloatVector512 l, FloatVector512 r) => new(l.V - r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 operator *(FloatVector512 l, FloatVector512 r) => new(l.V * r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 operator /(FloatVector512 l, FloatVector512 r) => new(l.V / r.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 operator -(FloatVector512 v) => new(-v.V);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Fma(FloatVector512 l, FloatVector512 r, FloatVector512 a) => new(Vector512.FusedMultiplyAdd(l.V, r.V, a.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Sqrt(FloatVector512 v) => new(Vector512.Sqrt(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Abs(FloatVector512 v) => new(Vector512.Abs(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Min(FloatVector512 l, FloatVector512 r) => new(Vector512.Min(l.V, r.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Max(FloatVector512 l, FloatVector512 r) => new(Vector512.Max(l.V, r.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector512 Sign(FloatVector512 v) => Avx512F.IsSupported
        ? new(Avx512F.Fixup(v.V, v.V, Vector512.Create(SignFixup.Table), 0))
        // ±1 with x's sign bit, kept where |x| > 0 (false at ±0 and NaN, as the other widths): one compare into a
        // mask register and a masked move instead of two compares, two mask expansions and a subtraction.
        : new(Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Abs(v.V), Vector512<float>.Zero),
            (v.V & Vector512.Create(-0f)) | Vector512<float>.One, Vector512<float>.Zero));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Exp(FloatVector512 v) => new(Vector512.Exp(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatVector512 Log(FloatVector512 v) => new(Vector512.Log(v.V));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector512 FiniteOrZero(FloatVector512 v) =>
        new(v.V & Vector512.LessThan(Vector512.Abs(v.V), Vector512.Create(float.PositiveInfinity)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatVector512 InverseCbrtGuess(FloatVector512 v, int magic) =>
        new((Vector512.Create(magic) - Vector512.ConvertToInt32Native(Vector512.ConvertToSingle(v.V.AsInt32()) * Vector512.Create(1f / 3f))).AsSingle());
}

/// <summary>
/// sign(x) in one instruction where AVX-512 is available: VFIXUPIMMPS classifies each lane (QNaN, SNaN, zero, +1, −∞, +∞,
/// negative, positive) and replaces it by the token its class selects in a 4-bit-per-class table (Intel SDM, VFIXUPIMMPS):
/// NaN and ±0 → +0, −∞ and negative values → −1, +1, +∞ and positive values → +1. Denormals are values (.NET leaves MXCSR.DAZ
/// off), so the result has the bits of the compare-and-mask forms at every width (one vector instruction instead of three:
/// the sweep engine's focus and signum are bound by the vector ports).
/// </summary>
internal static class SignFixup
{
    private const int PlusZero = 0x8, MinusOne = 0x9, PlusOne = 0xA;

    /// <summary>The token table, class j in bits 4j+3…4j.</summary>
    public const int Table = PlusZero | PlusZero << 4 | PlusZero << 8 | PlusOne << 12 | MinusOne << 16 | PlusOne << 20 | MinusOne << 24 | PlusOne << 28;
}
