using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Small SIMD helpers shared by the optimizer kernels. The vector and scalar forms perform the same
/// IEEE operations in the same order (no fused multiply-add), so a coordinate's result does not depend
/// on whether it fell in a vector body or a scalar tail.
/// </summary>
internal static class Simd
{
    public static readonly int Width = Vector256<float>.Count;

    /// <summary>sign(x) with sign(0) = sign(NaN) = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> x)
    {
        var one = Vector256<float>.One;
        return (Vector256.GreaterThan(x, Vector256<float>.Zero) & one) - (Vector256.LessThan(x, Vector256<float>.Zero) & one);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float x) => x > 0 ? 1f : x < 0 ? -1f : 0f;

    // Cube root of x ≥ 0 without division: r ≈ x^(−1/3) from an exponent-thirding bit trick (a few %
    // off), three Newton steps r ← r(4 − x r³)/3 (quadratic convergence, no division), then
    // cbrt(x) = x·r². Worst relative error 4.3e-7 over 1e-35…1e35; x = 0 gives exactly 0. S3 with
    // p = 3 needs it on every coordinate, where exp(log(x)/3) or Newton with divisions is compute-bound.
    private const int InverseCbrtMagic = 0x54A2FA8C;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Cbrt(Vector256<float> x)
    {
        var third = Vector256.Create(1f / 3f); var four = Vector256.Create(4f);
        // bits/3 through float: inexact, but only the starting guess (and identical in the scalar form).
        var r = (Vector256.Create(InverseCbrtMagic) - Vector256.ConvertToInt32(Vector256.ConvertToSingle(x.AsInt32()) * third)).AsSingle();
        r = r * (four - x * r * r * r) * third;
        r = r * (four - x * r * r * r) * third;
        r = r * (four - x * r * r * r) * third;
        return x * r * r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Cbrt(float x)
    {
        const float third = 1f / 3f;
        float r = BitConverter.Int32BitsToSingle(InverseCbrtMagic - (int)((float)BitConverter.SingleToInt32Bits(x) * third));
        r = r * (4f - x * r * r * r) * third;
        r = r * (4f - x * r * r * r) * third;
        r = r * (4f - x * r * r * r) * third;
        return x * r * r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(Span<float> s, int i) => ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(Span<float> s, int i) => Vector256.LoadUnsafe(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, Span<float> s, int i) => v.StoreUnsafe(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s), (nuint)i);

    /// <summary>Index where the scalar tail of a range starts (the vector body covers [start, VectorEnd)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VectorEnd(int start, int end) => Vector256.IsHardwareAccelerated ? start + (end - start) / Width * Width : start;
}
