namespace FocusLab.Engine.Data.Sampling;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
/// constants as in Vigna's reference splitmix64.c). Used only to expand a 64-bit seed into the
/// 256-bit xoshiro state, as recommended by the xoshiro authors.
/// </summary>
public struct SplitMix64
{
    private ulong _state;

    /// <summary>A generator whose first output depends only on <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64-bit output.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
