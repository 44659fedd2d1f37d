using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Counter-based random numbers: the value for (seed, key, counter) is a pure function of the three,
/// so a run's noise does not depend on which thread, SIMD lane or shard computes it.
/// The mixing is a 4-round Feistel network on the 64-bit word (key, counter) whose round function
/// is a 32-bit integer hash with seed-derived round keys. A Feistel network is a bijection for any
/// round function, so distinct (key, counter) pairs never share an output under one seed.
/// The round function is the two-multiply "lowbias32" construction (C. Wellons, hash prospector):
/// xor-shift, multiply by an odd constant, twice, and a final xor-shift.
/// </summary>
internal readonly struct CounterRng
{
    private readonly uint _k0, _k1, _k2, _k3;

    public CounterRng(ulong seed)
    {
        ulong s = seed;
        _k0 = (uint)SplitMix(ref s); _k1 = (uint)SplitMix(ref s);
        _k2 = (uint)SplitMix(ref s); _k3 = (uint)SplitMix(ref s);
    }

    /// <summary>SplitMix64 step (Steele, Lea & Flood 2014), used only to spread the seed into round keys.</summary>
    private static ulong SplitMix(ref ulong s)
    {
        ulong z = s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint x)
    {
        x ^= x >> 16; x *= 0x7FEB352DU;
        x ^= x >> 15; x *= 0x846CA68BU;
        x ^= x >> 16;
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Hash(Vector256<uint> x)
    {
        x ^= Vector256.ShiftRightLogical(x, 16); x *= 0x7FEB352DU;
        x ^= Vector256.ShiftRightLogical(x, 15); x *= 0x846CA68BU;
        x ^= Vector256.ShiftRightLogical(x, 16);
        return x;
    }

    /// <summary>Two independent uniform 32-bit words for (key, counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Bits(uint key, uint counter, out uint a, out uint b)
    {
        uint l = key, r = counter;
        l ^= Hash(r + _k0);
        r ^= Hash(l + _k1);
        l ^= Hash(r + _k2);
        r ^= Hash(l + _k3);
        a = l; b = r;
    }

    /// <summary>Vector form of <see cref="Bits(uint, uint, out uint, out uint)"/>: lane i uses (key[i], counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Bits(Vector256<uint> key, uint counter, out Vector256<uint> a, out Vector256<uint> b)
    {
        Vector256<uint> l = key, r = Vector256.Create(counter);
        l ^= Hash(r + Vector256.Create(_k0));
        r ^= Hash(l + Vector256.Create(_k1));
        l ^= Hash(r + Vector256.Create(_k2));
        r ^= Hash(l + Vector256.Create(_k3));
        a = l; b = r;
    }

    /// <summary>Two standard normal draws for (key, counter) (scalar path, same values as the vector path).</summary>
    public void Normals(uint key, uint counter, out float z0, out float z1)
    {
        Bits(key, counter, out uint a, out uint b);
        var za = FastNormal.BoxMuller(Vector256.Create(a), Vector256.Create(b), out var zb);
        z0 = za.ToScalar(); z1 = zb.ToScalar();
    }

    /// <summary>Two standard normal draws per lane for (key[i], counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Normals(Vector256<uint> key, uint counter, out Vector256<float> z1)
    {
        Bits(key, counter, out var a, out var b);
        return FastNormal.BoxMuller(a, b, out z1);
    }
}
