using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels.Tangents;

/// <summary>
/// Tangents of GELU (tanh form, <see cref="GeluOperator{T}"/>): with u = s(x + c·x³), t = tanh u,
/// u' = s(1 + 3c·x²), u'' = 6s·c·x,
///   g'  = ½(1 + t) + ½x(1 − t²)u',
///   g'' = (1 − t²)(u' + ½x(u'' − 2t·u'²)).
/// Forward ẏ = g'·ẋ; backward (dx)˙ += g'·(dy)˙ + g''·ẋ·dy (product rule of dx += g'·dy).
/// tanh is evaluated in tiles of 256 with TensorPrimitives, the polynomial parts with Vector256.
/// </summary>
public static class GeluTangent
{
    private const int Tile = 256;

    /// <summary>ẏ = g'(x)·ẋ.</summary>
    public static void Forward<T>(T[] x, T[] xDot, T[] yDot, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(n, 1, (s, e) => ForwardRange(x, xDot, yDot, s, e));

    /// <summary>dxDot += g'(x)·dyDot + g''(x)·ẋ·dy (ẋ may be null: zero).</summary>
    public static void Backward<T>(T[] x, T[]? xDot, T[] dy, T[] dyDot, T[] dxDot, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(n, 1, (s, e) => BackwardRange(x, xDot, dy, dyDot, dxDot, s, e));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRange<T>(T[] x, T[] xDot, T[] yDot, int s, int e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[Tile];
        for (int i0 = s; i0 < e; i0 += Tile)
        {
            int m = Math.Min(Tile, e - i0);
            TanhOfArgument(x.AsSpan(i0, m), t);
            int i = 0;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
                for (; i <= m - Vector256<T>.Count; i += Vector256<T>.Count)
                {
                    var (d1, _) = Derivatives(Vector256.Create<T>(x.AsSpan(i0 + i)), Vector256.Create<T>(t[i..]));
                    (d1 * Vector256.Create<T>(xDot.AsSpan(i0 + i))).CopyTo(yDot.AsSpan(i0 + i));
                }
            for (; i < m; i++)
            {
                var (d1, _) = Derivatives(x[i0 + i], t[i]);
                yDot[i0 + i] = d1 * xDot[i0 + i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRange<T>(T[] x, T[]? xDot, T[] dy, T[] dyDot, T[] dxDot, int s, int e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[Tile];
        for (int i0 = s; i0 < e; i0 += Tile)
        {
            int m = Math.Min(Tile, e - i0);
            TanhOfArgument(x.AsSpan(i0, m), t);
            int i = 0;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
                for (; i <= m - Vector256<T>.Count; i += Vector256<T>.Count)
                {
                    int k = i0 + i;
                    var (d1, d2) = Derivatives(Vector256.Create<T>(x.AsSpan(k)), Vector256.Create<T>(t[i..]));
                    var r = d1 * Vector256.Create<T>(dyDot.AsSpan(k));
                    if (xDot is not null) r += d2 * Vector256.Create<T>(xDot.AsSpan(k)) * Vector256.Create<T>(dy.AsSpan(k));
                    (Vector256.Create<T>(dxDot.AsSpan(k)) + r).CopyTo(dxDot.AsSpan(k));
                }
            for (; i < m; i++)
            {
                int k = i0 + i;
                var (d1, d2) = Derivatives(x[k], t[i]);
                T r = d1 * dyDot[k];
                if (xDot is not null) r += d2 * xDot[k] * dy[k];
                dxDot[k] += r;
            }
        }
    }

    private static void TanhOfArgument<T>(ReadOnlySpan<T> x, Span<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = GeluOperator<T>.Scale, c = GeluOperator<T>.Cubic;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var vs = Vector256.Create(s); var vc = Vector256.Create(c);
            for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var v = Vector256.Create<T>(x[i..]);
                (vs * (v + vc * v * v * v)).CopyTo(t[i..]);
            }
        }
        for (; i < x.Length; i++) t[i] = s * (x[i] + c * x[i] * x[i] * x[i]);
        TensorPrimitives.Tanh<T>(t[..x.Length], t[..x.Length]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (T First, T Second) Derivatives<T>(T x, T t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = GeluOperator<T>.Scale, c = GeluOperator<T>.Cubic, h = GeluOperator<T>.Half;
        T three = T.CreateTruncating(3), six = T.CreateTruncating(6), two = T.CreateTruncating(2);
        T sech2 = T.One - t * t;
        T du = s * (T.One + three * c * x * x);
        T ddu = six * s * c * x;
        T first = h * (T.One + t) + h * x * sech2 * du;
        T second = sech2 * (du + h * x * (ddu - two * t * du * du));
        return (first, second);
    }

    /// <summary>The same formulas on eight (float) or four (double) lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<T> First, Vector256<T> Second) Derivatives<T>(Vector256<T> x, Vector256<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Vector256.Create(GeluOperator<T>.Scale); var c = Vector256.Create(GeluOperator<T>.Cubic); var h = Vector256.Create(GeluOperator<T>.Half);
        var one = Vector256<T>.One; var three = Vector256.Create(T.CreateTruncating(3)); var six = Vector256.Create(T.CreateTruncating(6)); var two = Vector256.Create(T.CreateTruncating(2));
        var sech2 = one - t * t;
        var du = s * (one + three * c * x * x);
        var ddu = six * s * c * x;
        var first = h * (one + t) + h * x * sech2 * du;
        var second = sech2 * (du + h * x * (ddu - two * t * du * du));
        return (first, second);
    }
}
