using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FocusLab.Optim;

namespace FocusLab.Optim.Tests.State;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Matches_known_check_values(string text, uint expected)
    {
        Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1000)]
    [InlineData(100003)]
    public void Matches_the_crc_that_the_platform_gzip_writer_stores(int length)
    {
        // The gzip trailer (RFC 1952) holds CRC-32 of the uncompressed data, computed by zlib.
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        byte[] gzBytes = output.ToArray();
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(gzBytes.AsSpan(gzBytes.Length - 8)), Crc32.Compute(data));
    }

    [Fact]
    public void Append_continues_a_crc_at_any_split_point()
    {
        byte[] data = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        for (int split = 0; split <= data.Length; split++)
            Assert.Equal(0x414FA339u, Crc32.Append(Crc32.Compute(data[..split]), data[split..]));
    }
}
