using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FocusLab.Optim;

/// <summary>
/// CRC-32 as used by zlib, gzip, PNG and Ethernet (IEEE 802.3): reflected polynomial 0xEDB88320,
/// initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. CRC32("123456789") = 0xCBF43926.
/// Implemented here because System.IO.Hashing is not guaranteed to be available. Shared by the optimizer state format and the engine's checkpoints.
/// Uses slicing-by-8 tables (8 table lookups per 8 input bytes) so multi-megabyte checkpoints
/// are checksummed at well over 1 GB/s.
/// </summary>
public static class Crc32
{
    private const uint ReflectedPolynomial = 0xEDB88320u;

    // Tables[k][b] is the CRC contribution of byte b followed by k zero bytes.
    private static readonly uint[][] Tables = BuildTables();

    /// <summary>CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0u, data);

    /// <summary>
    /// Continues a CRC: <c>Append(Compute(a), b) == Compute(a ++ b)</c>. Start with 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        // Table reads are masked to 0..255 and the tables hold 256 entries, so unchecked access is safe.
        ref uint t0 = ref MemoryMarshal.GetArrayDataReference(Tables[0]);
        ref uint t1 = ref MemoryMarshal.GetArrayDataReference(Tables[1]);
        ref uint t2 = ref MemoryMarshal.GetArrayDataReference(Tables[2]);
        ref uint t3 = ref MemoryMarshal.GetArrayDataReference(Tables[3]);
        ref uint t4 = ref MemoryMarshal.GetArrayDataReference(Tables[4]);
        ref uint t5 = ref MemoryMarshal.GetArrayDataReference(Tables[5]);
        ref uint t6 = ref MemoryMarshal.GetArrayDataReference(Tables[6]);
        ref uint t7 = ref MemoryMarshal.GetArrayDataReference(Tables[7]);
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint lo = c ^ BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4));
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i + 4, 4));
            c = Unsafe.Add(ref t7, (int)(lo & 0xFF)) ^ Unsafe.Add(ref t6, (int)((lo >> 8) & 0xFF))
              ^ Unsafe.Add(ref t5, (int)((lo >> 16) & 0xFF)) ^ Unsafe.Add(ref t4, (int)(lo >> 24))
              ^ Unsafe.Add(ref t3, (int)(hi & 0xFF)) ^ Unsafe.Add(ref t2, (int)((hi >> 8) & 0xFF))
              ^ Unsafe.Add(ref t1, (int)((hi >> 16) & 0xFF)) ^ Unsafe.Add(ref t0, (int)(hi >> 24));
        }
        for (; i < data.Length; i++)
            c = Unsafe.Add(ref t0, (int)((c ^ data[i]) & 0xFF)) ^ (c >> 8);
        return ~c;
    }

    private static uint[][] BuildTables()
    {
        var tables = new uint[8][];
        for (int k = 0; k < 8; k++) tables[k] = new uint[256];
        for (uint b = 0; b < 256; b++)
        {
            uint c = b;
            for (int bit = 0; bit < 8; bit++)
                c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPolynomial : c >> 1;
            tables[0][b] = c;
        }
        for (int b = 0; b < 256; b++)
            for (int k = 1; k < 8; k++)
            {
                uint prev = tables[k - 1][b];
                tables[k][b] = tables[0][prev & 0xFF] ^ (prev >> 8);
            }
        return tables;
    }
}
