using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// The exp-and-sum step of a max-shifted softmax row, y = exp(x − shift) and Σy in one pass.
/// Float uses <see cref="FastMath.Exp(Vector256{float})"/> (the correctly rounded TensorPrimitives.Exp
/// dominated the softmax rows); double keeps TensorPrimitives for the gradient checks. The sum is
/// taken in a fixed order that depends only on the length (eight lane sums, then the tail).
/// </summary>
internal static class RowSoftmax
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ExpShiftedSum<T>(ReadOnlySpan<T> x, T shift, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            float s = ExpShiftedSum(MemoryMarshal.Cast<T, float>(x), (float)(object)shift, MemoryMarshal.Cast<T, float>(y));
            return (T)(object)s;
        }
        TensorPrimitives.Subtract(x, shift, y);
        TensorPrimitives.Exp<T>(y, y);
        return TensorPrimitives.Sum<T>(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float ExpShiftedSum(ReadOnlySpan<float> x, float shift, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Output shorter than input.", nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        var vshift = Vector256.Create(shift);
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var e = FastMath.Exp(Vector256.LoadUnsafe(ref xr, (nuint)i) - vshift);
            e.StoreUnsafe(ref yr, (nuint)i);
            acc += e;
        }
        float sum = Vector256.Sum(acc);
        for (; i < x.Length; i++)
        {
            float e = FastMath.Exp(x[i] - shift);
            y[i] = e;
            sum += e;
        }
        return sum;
    }

    /// <summary>⟨x, y⟩ in a fixed order that depends only on the length (lane sums, then the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Second operand shorter than the first.", nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        var acc = Vector256<float>.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= x.Length - 8; i += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), acc);
        float sum = Vector256.Sum(acc);
        for (; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }
}
