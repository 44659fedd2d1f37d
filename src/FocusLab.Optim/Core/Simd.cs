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
