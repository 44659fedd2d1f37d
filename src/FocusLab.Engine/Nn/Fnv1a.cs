namespace FocusLab.Engine.Nn;

/// <summary>64-bit FNV-1a hash: a dependency-free integrity check for snapshots (not cryptographic).</summary>
internal static class Fnv1a
{
    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in data) { h ^= b; h *= 0x100000001B3UL; }
        return h;
    }
}
