using System.IO.Compression;

namespace FocusLab.Engine.Tests.Data;

/// <summary>Builds IDX files byte by byte, independently of the reader under test.</summary>
internal static class IdxBytes
{
    public static byte[] Build(byte typeCode, int[] dims, byte[] data)
    {
        var bytes = new List<byte> { 0, 0, typeCode, (byte)dims.Length };
        foreach (int d in dims)
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    public static byte[] Images(int count, int rows, int cols, Func<int, byte> pixel) =>
        Build(0x08, [count, rows, cols], Enumerable.Range(0, count * rows * cols).Select(pixel).ToArray());

    public static byte[] Labels(params byte[] labels) => Build(0x08, [labels.Length], labels);

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(data);
        return output.ToArray();
    }
}
