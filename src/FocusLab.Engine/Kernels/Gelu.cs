using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>GELU, tanh form as GPT-2 (Hendrycks &amp; Gimpel 2016, eq. for the approximation):
/// y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Float32 uses the equivalent sigmoid form
/// <see cref="GeluFloat"/>; float64 evaluates the formula as written.</summary>
public readonly struct GeluOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal static readonly T Scale = T.CreateTruncating(0.7978845608028654); // √(2/π)
    internal static readonly T Cubic = T.CreateTruncating(0.044715);
    internal static readonly T Half = T.CreateTruncating(0.5);

    /// <summary>An exp and a division per element.</summary>
    public static int WorkPerElement => 8;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke(T x)
    {
        if (typeof(T) == typeof(float)) return (T)(object)GeluFloat.Forward(Vector256.Create((float)(object)x)).ToScalar();
        return Half * x * (T.One + T.Tanh(Scale * (x + Cubic * x * x * x)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Invoke(Vector256<T> x)
    {
        if (typeof(T) == typeof(float)) return GeluFloat.Forward(x.AsSingle()).As<float, T>();
        var t = VectorMath.Tanh(Vector256.Create(Scale) * (x + Vector256.Create(Cubic) * x * x * x));
        return Vector256.Create(Half) * x * (Vector256<T>.One + t);
    }
}

/// <summary>GELU backward: dx = dy·[½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)].</summary>
public readonly struct GeluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Three = T.CreateTruncating(3.0);

    /// <summary>A tanh and a few multiplications per element.</summary>
    public static int WorkPerElement => 8;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke(T x, T dy)
    {
        if (typeof(T) == typeof(float))
            return (T)(object)GeluFloat.Backward(Vector256.Create((float)(object)x), Vector256.Create((float)(object)dy)).ToScalar();
        T s = GeluOperator<T>.Scale, c = GeluOperator<T>.Cubic, h = GeluOperator<T>.Half;
        T t = T.Tanh(s * (x + c * x * x * x));
        T du = s * (T.One + Three * c * x * x);
        return dy * (h * (T.One + t) + h * x * (T.One - t * t) * du);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy)
    {
        if (typeof(T) == typeof(float)) return GeluFloat.Backward(x.AsSingle(), dy.AsSingle()).As<float, T>();
        var s = Vector256.Create(GeluOperator<T>.Scale);
        var c = Vector256.Create(GeluOperator<T>.Cubic);
        var h = Vector256.Create(GeluOperator<T>.Half);
        var one = Vector256<T>.One;
        var t = VectorMath.Tanh(s * (x + c * x * x * x));
        var du = s * (one + Vector256.Create(Three) * c * x * x);
        return dy * (h * (one + t) + h * x * (one - t * t) * du);
    }
}

/// <summary>
/// Float32 GELU through ½(1 + tanh u) = σ(2u) = 1/(1 + e^{−2u}): one <see cref="FastMath.Exp(Vector256{float})"/>
/// and one division, and no cancellation for negative x (1 + tanh u is tiny there, and 1 − 2/(e^{2u}+1)
/// would lose its relative accuracy). Backward: ½x(1 − tanh²u)u' = 2x·σ(1 − σ)·u' with
/// 1 − σ = e^{−2u}·σ, again free of cancellation. The scalar operators call these on one lane, so
/// vector bodies and loop tails compute the same function.
/// </summary>
internal static class GeluFloat
{
    private const float Scale = 0.7978845608028654f, Cubic = 0.044715f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Forward(Vector256<float> x)
    {
        var x2 = x * x;
        var minus2u = x * Vector256.FusedMultiplyAdd(x2, Vector256.Create(-2f * Scale * Cubic), Vector256.Create(-2f * Scale));
        return x / (Vector256<float>.One + FastMath.Exp(minus2u));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Backward(Vector256<float> x, Vector256<float> dy)
    {
        var one = Vector256<float>.One;
        var x2 = x * x;
        var minus2u = x * Vector256.FusedMultiplyAdd(x2, Vector256.Create(-2f * Scale * Cubic), Vector256.Create(-2f * Scale));
        var e = FastMath.Exp(minus2u);
        var sigma = one / (one + e);
        // 1 − σ = e·σ, except e = +∞ (σ = 0) where it is 1.
        var rest = Vector256.ConditionalSelect(Vector256.Equals(e, Vector256.Create(float.PositiveInfinity)), one, e * sigma);
        var du = Vector256.FusedMultiplyAdd(x2, Vector256.Create(3f * Scale * Cubic), Vector256.Create(Scale));
        return dy * Vector256.FusedMultiplyAdd(x + x, sigma * rest * du, sigma);
    }
}
