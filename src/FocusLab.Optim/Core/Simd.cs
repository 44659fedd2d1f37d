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

    // Cube root of x ≥ 0: an exponent-thirding bit trick gives ~5% accuracy, three Newton steps
    // y ← (2y + x/y²)/3 reach float precision; x = 0 gives 0. Far cheaper than exp(log(x)/3).
    private const int CbrtMagic = 0x2A5137A0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Cbrt(Vector256<float> x)
    {
        var third = Vector256.Create(1f / 3f); var two = Vector256.Create(2f);
        // bits/3 through float: inexact, but only the starting guess (and identical in the scalar form).
        var y = (Vector256.ConvertToInt32(Vector256.ConvertToSingle(x.AsInt32()) * third) + Vector256.Create(CbrtMagic)).AsSingle();
        y = (two * y + x / (y * y)) * third;
        y = (two * y + x / (y * y)) * third;
        y = (two * y + x / (y * y)) * third;
        return Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), Vector256<float>.Zero, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Cbrt(float x)
    {
        if (x == 0) return 0;
        const float third = 1f / 3f;
        float y = BitConverter.Int32BitsToSingle((int)((float)BitConverter.SingleToInt32Bits(x) * third) + CbrtMagic);
        y = (2f * y + x / (y * y)) * third;
        y = (2f * y + x / (y * y)) * third;
        y = (2f * y + x / (y * y)) * third;
        return y;
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
