using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>An elementwise function with a Vector256 body and a scalar body for tails and fallback
/// (the operator-struct pattern of TensorPrimitives: the JIT specialises the loop per operator).</summary>
public interface IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>f(x) for one element (tails, and machines without Vector256).</summary>
    static abstract T Invoke(T x);
    /// <summary>f(x) for the lanes of one vector; must agree with the scalar body.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> x);

    /// <summary>Cost of one element relative to an addition (sets the parallel chunk size).</summary>
    static virtual int WorkPerElement => 1;
}

/// <summary>f(x, y) elementwise, e.g. a derivative f'(x)·dy.</summary>
public interface IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>f(x, y) for one element (tails, and machines without Vector256).</summary>
    static abstract T Invoke(T x, T y);
    /// <summary>f(x, y) for the lanes of two vectors; must agree with the scalar body.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> x, Vector256<T> y);

    /// <summary>Cost of one element relative to an addition (sets the parallel chunk size).</summary>
    static virtual int WorkPerElement => 1;
}

/// <summary>Loops that apply operator structs, vectorised when Vector256 is accelerated and split
/// over cores in fixed chunks for large buffers.</summary>
public static class Elementwise
{
    /// <summary>y[i] = Op(x[i]).</summary>
    public static void Map<T, TOp>(T[] x, T[] y, int length) where T : unmanaged, IFloatingPointIeee754<T> where TOp : IUnaryOperator<T>
        => Parallelism.ForRows(length, TOp.WorkPerElement, (s, e) => MapRange<T, TOp>(x.AsSpan(s, e - s), y.AsSpan(s, e - s)));

    /// <summary>dst[i] (+)= Op(x[i], y[i]).</summary>
    public static void Map<T, TOp>(T[] x, T[] y, T[] dst, int length, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
        => Parallelism.ForRows(length, TOp.WorkPerElement, (s, e) => MapRange<T, TOp>(x.AsSpan(s, e - s), y.AsSpan(s, e - s), dst.AsSpan(s, e - s), accumulate));

    /// <summary>y[i] = Op(x[i]) over one range on the calling thread (the body of <see cref="Map{T, TOp}(T[], T[], int)"/>'s chunks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MapRange<T, TOp>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TOp : IUnaryOperator<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T yr = ref MemoryMarshal.GetReference(y);
            for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < x.Length; i++) y[i] = TOp.Invoke(x[i]);
    }

    /// <summary>dst[i] (+)= Op(x[i], y[i]) over one range on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MapRange<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T yr = ref MemoryMarshal.GetReference(y);
            ref T dr = ref MemoryMarshal.GetReference(dst);
            for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var v = TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i));
                if (accumulate) v += Vector256.LoadUnsafe(ref dr, (nuint)i);
                v.StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < x.Length; i++) dst[i] = accumulate ? dst[i] + TOp.Invoke(x[i], y[i]) : TOp.Invoke(x[i], y[i]);
    }
}

/// <summary>Vector helpers the generic operators need but Vector256 only offers per type.</summary>
internal static class VectorMath
{
    /// <summary>a·b + c, fused (one rounding) for float and double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // float: the fast polynomial (≤ 2 ulp); double stays correctly rounded for the gradient checks.
        if (typeof(T) == typeof(float)) return FastMath.Exp(x.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.Exp(x.AsDouble()).As<double, T>();
        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>tanh(u) = 1 − 2/(e^{2u} + 1): saturates correctly to ±1 when e^{2u} overflows or underflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return FastMath.Tanh(u.AsSingle()).As<float, T>();
        var one = Vector256<T>.One;
        var two = one + one;
        return one - two / (Exp(two * u) + one);
    }
}
