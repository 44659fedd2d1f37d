using System.Numerics;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>ReLU: y = max(x, 0).</summary>
public readonly struct ReluOperator<T> : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static T Invoke(T x) => x > T.Zero ? x : T.Zero;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero);
}

/// <summary>ReLU backward: dx = dy where x &gt; 0, else 0 (the subgradient 0 at x = 0, as PyTorch).</summary>
public readonly struct ReluBackwardOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static T Invoke(T x, T dy) => x > T.Zero ? dy : T.Zero;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, Vector256<T>.Zero);
}
