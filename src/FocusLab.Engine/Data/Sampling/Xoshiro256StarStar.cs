using System.Buffers.Binary;
using System.Numerics;

namespace FocusLab.Engine.Data.Sampling;

/// <summary>The complete 256-bit state of <see cref="Xoshiro256StarStar"/>.</summary>
public readonly record struct Xoshiro256State(ulong S0, ulong S1, ulong S2, ulong S3)
{
    /// <summary>Bytes written by <see cref="WriteTo"/>: four 64-bit words.</summary>
    public const int ByteSize = 32;

    /// <summary>Whether all four words are zero, the one state xoshiro can never leave (and so invalid).</summary>
    public bool IsZero => (S0 | S1 | S2 | S3) == 0;

    /// <summary>Writes the four words little-endian into the first <see cref="ByteSize"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, S0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], S1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], S2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], S3);
    }

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    public static Xoshiro256State ReadFrom(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));
}

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 2021). FocusLab carries its own generator so that a seed gives the same data order on
/// every .NET version (System.Random's algorithm is an implementation detail), and so that its
/// state can be saved in a checkpoint and restored exactly.
/// </summary>
public sealed class Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state with four outputs of <see cref="SplitMix64"/> started at <paramref name="seed"/>.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = new SplitMix64(seed);
        _s0 = sm.Next(); _s1 = sm.Next(); _s2 = sm.Next(); _s3 = sm.Next();
        // SplitMix64 is a bijection of its counter, so four consecutive outputs are never all zero.
    }

    /// <summary>Restores a saved state.</summary>
    public Xoshiro256StarStar(Xoshiro256State state) => State = state;

    /// <summary>The current state; assigning it restores the generator exactly.</summary>
    public Xoshiro256State State
    {
        get => new(_s0, _s1, _s2, _s3);
        set
        {
            if (value.IsZero)
                throw new ArgumentException("xoshiro256** state must not be all zero (the generator would output only zeros).");
            (_s0, _s1, _s2, _s3) = (value.S0, value.S1, value.S2, value.S3);
        }
    }

    /// <summary>Next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Uniform integer in [0, <paramref name="bound"/>) without modulo bias, by Lemire's
    /// multiply-and-reject method ("Fast random integer generation in an interval", ACM TOMACS 2019).
    /// </summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive.");
        ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = unchecked(0UL - bound) % bound;
            while (low < threshold)
                high = Math.BigMul(NextUInt64(), bound, out low);
        }
        return high;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher–Yates shuffle of <paramref name="values"/> in place.</summary>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)NextBelow((ulong)i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
