using System.Numerics;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>GELU, tanh form as GPT-2 (Hendrycks &amp; Gimpel 2016, eq. for the approximation):
/// y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
public readonly struct GeluOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal static readonly T Scale = T.CreateTruncating(0.7978845608028654); // √(2/π)
    internal static readonly T Cubic = T.CreateTruncating(0.044715);
    internal static readonly T Half = T.CreateTruncating(0.5);

    public static T Invoke(T x) => Half * x * (T.One + T.Tanh(Scale * (x + Cubic * x * x * x)));

    public static Vector256<T> Invoke(Vector256<T> x)
    {
        var t = VectorMath.Tanh(Vector256.Create(Scale) * (x + Vector256.Create(Cubic) * x * x * x));
        return Vector256.Create(Half) * x * (Vector256<T>.One + t);
    }
}

/// <summary>GELU backward: dx = dy·[½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)].</summary>
public readonly struct GeluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Three = T.CreateTruncating(3.0);

    public static T Invoke(T x, T dy)
    {
        T s = GeluOperator<T>.Scale, c = GeluOperator<T>.Cubic, h = GeluOperator<T>.Half;
        T t = T.Tanh(s * (x + c * x * x * x));
        T du = s * (T.One + Three * c * x * x);
        return dy * (h * (T.One + t) + h * x * (T.One - t * t) * du);
    }

    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy)
    {
        var s = Vector256.Create(GeluOperator<T>.Scale);
        var c = Vector256.Create(GeluOperator<T>.Cubic);
        var h = Vector256.Create(GeluOperator<T>.Half);
        var one = Vector256<T>.One;
        var t = VectorMath.Tanh(s * (x + c * x * x * x));
        var du = s * (one + Vector256.Create(Three) * c * x * x);
        return dy * (h * (one + t) + h * x * (one - t * t) * du);
    }
}
