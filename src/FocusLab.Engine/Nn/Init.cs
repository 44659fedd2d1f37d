using System.Numerics;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Nn;

/// <summary>Seeded initialisers (System.Random with a seed is stable across runs and platforms).</summary>
public static class Init
{
    /// <summary>U(−bound, bound), e.g. PyTorch's Linear default bound 1/√fan_in.</summary>
    public static void Uniform<T>(Tensor<T> t, double bound, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = T.CreateTruncating((rng.NextDouble() * 2 - 1) * bound);
    }

    /// <summary>N(0, std²) by Box–Muller.</summary>
    public static void Normal<T>(Tensor<T> t, double std, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            s[i] = T.CreateTruncating(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }

    /// <summary>Sets every element of <paramref name="t"/> to <paramref name="value"/>.</summary>
    public static void Fill<T>(Tensor<T> t, double value) where T : unmanaged, IFloatingPointIeee754<T> => t.Span.Fill(T.CreateTruncating(value));
}
