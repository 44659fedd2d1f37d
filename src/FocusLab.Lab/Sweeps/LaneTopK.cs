using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FocusLab.Optim;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// The top-k clipping threshold (<see cref="CoordinateClipping"/>, Pan &amp; Li 2023) of eight toy runs at once, one per lane: per lane,
/// τ = the rank-th largest |x_i| (0-based) over the run's d coordinate vectors, the same value as the library's quickselect
/// (<see cref="CoordinateClipping.Threshold"/>) on that lane's |x|. Non-negative floats order like their int bit patterns, so τ's bits
/// are found from the top down: a bit stays set when at least rank + 1 coordinates have |x| at or above the candidate, counted for all
/// lanes by one integer compare per coordinate (31 rounds × d compares, no lane reads another). The greatest candidate with that many
/// is an element, the rank-th largest; the rounds stop early once they have isolated the rank + 1 largest in every lane. Ties, zeros
/// (−0 counts as +0) and ±∞ select as in the library; a NaN coordinate is not ordered.
/// </summary>
internal static unsafe class LaneTopK
{
    /// <summary>Per lane, the <paramref name="rank"/>-th largest (0-based, rank &lt; d) of |x_i| over the d vectors at <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Threshold(FloatVector256* x, int d, int rank)
    {
        var atLeast = Vector256.Create(rank); // a count above rank keeps the bit
        var tau = Vector256<int>.Zero;
        var countAtTau = Vector256.Create(d); // coordinates with |x| ≥ τ's bits so far (all of them at 0)
        for (int bit = 30; bit >= 0; bit--)
        {
            var candidate = tau | Vector256.Create(1 << bit);
            var count = CountAtLeast(x, d, candidate);
            var keep = Vector256.GreaterThan(count, atLeast);
            tau = Vector256.ConditionalSelect(keep, candidate, tau);
            countAtTau = Vector256.ConditionalSelect(keep, count, countAtTau);
            // Once exactly rank + 1 coordinates are ≥ τ's bits in every lane, they are the rank + 1 largest and τ is their minimum:
            // one pass instead of the remaining rounds (values spread over many binades get there after the exponent and a few
            // mantissa bits; ties across the boundary never do, and take all 31 rounds).
            if (Vector256.EqualsAll(countAtTau, atLeast + Vector256<int>.One)) return SmallestAtLeast(x, d, tau).AsSingle();
        }
        return tau.AsSingle();
    }

    /// <summary>Per lane, how many of the d coordinates have |x|'s bits ≥ <paramref name="candidate"/> (≥ 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> CountAtLeast(FloatVector256* x, int d, Vector256<int> candidate)
    {
        var magnitude = Vector256.Create(int.MaxValue);  // clears the sign bit: |x|'s bits
        var below = candidate - Vector256<int>.One;       // |x| ≥ candidate ⇔ |x| > candidate − 1: AVX2 compares integers with > only
        // Four counters (each compare adds −1 where true) so consecutive compares do not wait on one another.
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        int i = 0;
        for (; i + 3 < d; i += 4)
        {
            c0 += Vector256.GreaterThan(x[i].V.AsInt32() & magnitude, below);
            c1 += Vector256.GreaterThan(x[i + 1].V.AsInt32() & magnitude, below);
            c2 += Vector256.GreaterThan(x[i + 2].V.AsInt32() & magnitude, below);
            c3 += Vector256.GreaterThan(x[i + 3].V.AsInt32() & magnitude, below);
        }
        for (; i < d; i++) c0 += Vector256.GreaterThan(x[i].V.AsInt32() & magnitude, below);
        return -((c0 + c1) + (c2 + c3));
    }

    /// <summary>Per lane, the smallest of |x|'s bits that are ≥ <paramref name="floor"/>.</summary>
    private static Vector256<int> SmallestAtLeast(FloatVector256* x, int d, Vector256<int> floor)
    {
        var magnitude = Vector256.Create(int.MaxValue);
        var min = Vector256.Create(int.MaxValue);
        for (int i = 0; i < d; i++)
        {
            var a = x[i].V.AsInt32() & magnitude;
            min = Vector256.Min(min, Vector256.ConditionalSelect(Vector256.LessThan(a, floor), Vector256.Create(int.MaxValue), a));
        }
        return min;
    }
}
