using System.Runtime.InteropServices;
using System.Text;

namespace FocusLab.Lab.Reports;

/// <summary>
/// NumPy .npy format version 1.0 (numpy.lib.format): magic "\x93NUMPY", version bytes, a little-endian
/// uint16 header length, a Python-literal dict {'descr', 'fortran_order', 'shape'} padded with spaces
/// and a newline to a multiple of 64 bytes, then the C-order little-endian data.
/// </summary>
internal static class NpyFile
{
    private static string Descr<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(float) => "<f4",
        var t when t == typeof(double) => "<f8",
        var t when t == typeof(int) => "<i4",
        var t when t == typeof(long) => "<i8",
        var t when t == typeof(byte) => "|u1",
        var t => throw new NotSupportedException($"no .npy dtype for {t.Name}"),
    };

    public static byte[] Header<T>(IReadOnlyList<long> shape) where T : unmanaged
    {
        string dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dict = $"{{'descr': '{Descr<T>()}', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        var bytes = new byte[10 + header.Length];
        bytes[0] = 0x93; Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = 1; bytes[7] = 0;
        bytes[8] = (byte)(header.Length & 0xFF); bytes[9] = (byte)(header.Length >> 8);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        return bytes;
    }

    public static void Write<T>(string path, T[] data, params long[] shape) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (n != data.LongLength) throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {n} values but the array has {data.LongLength}");
        AtomicFile.Write(path, s =>
        {
            s.Write(Header<T>(shape));
            for (long off = 0; off < data.LongLength; off += 1 << 20)
                s.Write(MemoryMarshal.AsBytes(data.AsSpan((int)off, (int)Math.Min(1 << 20, data.LongLength - off))));
        });
    }

    /// <summary>Reads a .npy written by <see cref="Write{T}"/> (C order, little endian); checks dtype and size.</summary>
    public static (T[] Data, long[] Shape) Read<T>(string path) where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file");
        int hl = bytes[8] | bytes[9] << 8;
        string header = Encoding.ASCII.GetString(bytes, 10, hl);
        if (!header.Contains($"'descr': '{Descr<T>()}'")) throw new InvalidDataException($"{path}: dtype is not {Descr<T>()}");
        int a = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10, b = header.IndexOf(')', a);
        var shape = header[a..b].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        long n = shape.Aggregate(1L, (x, y) => x * y);
        int size = Marshal.SizeOf<T>();
        if (bytes.Length - 10 - hl != n * size) throw new InvalidDataException($"{path}: data size does not match the shape (truncated?)");
        var data = MemoryMarshal.Cast<byte, T>(bytes.AsSpan(10 + hl)).ToArray();
        return (data, shape);
    }
}
