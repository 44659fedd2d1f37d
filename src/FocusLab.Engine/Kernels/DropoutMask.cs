using System.Numerics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Inverted-dropout mask from a counter-based hash of (seed, index) (SplitMix64 finaliser), so the
/// mask depends only on the seed, never on thread scheduling: keep with probability 1 − p and scale
/// kept entries by 1/(1 − p).
/// </summary>
public static class DropoutMask
{
    /// <summary>Writes the first <paramref name="length"/> mask entries: 0 with probability <paramref name="p"/>, else 1/(1 − p), each a function of (<paramref name="seed"/>, index) only.</summary>
    public static void Fill<T>(T[] mask, int length, double p, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.CreateTruncating(1.0 / (1.0 - p));
        for (int i = 0; i < length; i++)
        {
            double u = (Mix(seed + (ulong)i * 0x9E3779B97F4A7C15UL) >> 11) * (1.0 / (1UL << 53));
            mask[i] = u < p ? T.Zero : keep;
        }
    }

    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
