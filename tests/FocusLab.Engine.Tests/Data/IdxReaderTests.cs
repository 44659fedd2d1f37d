using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Idx;

namespace FocusLab.Engine.Tests.Data;

public class IdxReaderTests
{
    private static readonly byte[] SmallImages = IdxBytes.Images(3, 2, 4, i => (byte)(i * 7 + 1));

    [Fact]
    public void Reads_raw_ubyte_images_with_shape_and_data()
    {
        using var dir = new TempFolder();
        string path = dir.File("images-idx3-ubyte");
        File.WriteAllBytes(path, SmallImages);

        var array = IdxReader.Read(path);

        Assert.Equal(IdxDataType.UInt8, array.DataType);
        Assert.Equal([3, 2, 4], array.Shape);
        Assert.Equal(24, array.ElementCount);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)(i * 7 + 1)).ToArray(), array.AsUInt8());
    }

    [Fact]
    public void Gzip_file_reads_the_same_as_raw_whatever_its_name()
    {
        using var dir = new TempFolder();
        string gz = dir.File("no-gz-suffix");
        File.WriteAllBytes(gz, IdxBytes.Gzip(SmallImages));
        string raw = dir.File("raw");
        File.WriteAllBytes(raw, SmallImages);

        var fromGz = IdxReader.Read(gz);
        var fromRaw = IdxReader.Read(raw);
        Assert.Equal(fromRaw.Shape, fromGz.Shape);
        Assert.Equal(fromRaw.RawData, fromGz.RawData);
    }

    [Fact]
    public void Multi_byte_types_are_big_endian()
    {
        // int16 -2 = FF FE, int32 258 = 00 00 01 02, float32 1.5 = 3F C0 00 00, float64 -0.25 = BF D0 00..
        Assert.Equal([-2f, 3f], IdxReader.Parse(IdxBytes.Build(0x0B, [2], [0xFF, 0xFE, 0x00, 0x03]), "x").ToFloat32());
        Assert.Equal([258f], IdxReader.Parse(IdxBytes.Build(0x0C, [1], [0, 0, 1, 2]), "x").ToFloat32());
        Assert.Equal([1.5f], IdxReader.Parse(IdxBytes.Build(0x0D, [1], [0x3F, 0xC0, 0, 0]), "x").ToFloat32());
        Assert.Equal([-0.25f], IdxReader.Parse(IdxBytes.Build(0x0E, [1], [0xBF, 0xD0, 0, 0, 0, 0, 0, 0]), "x").ToFloat32());
        Assert.Equal([-1f, 127f], IdxReader.Parse(IdxBytes.Build(0x09, [2], [0xFF, 0x7F]), "x").ToFloat32());
        Assert.Throws<InvalidOperationException>(() => IdxReader.Parse(IdxBytes.Build(0x09, [1], [1]), "x").AsUInt8());
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 8, 3 })]      // first byte not zero
    [InlineData(new byte[] { 3, 8, 0, 0 })]      // magic written little-endian
    [InlineData(new byte[] { 0, 0, 0x0A, 1 })]   // undefined type code
    [InlineData(new byte[] { 0, 0, 8, 0 })]      // zero dimensions
    [InlineData(new byte[] { 0, 0, 8, 9 })]      // more dimensions than supported
    public void Wrong_magic_is_reported_with_the_file_name(byte[] magic)
    {
        using var dir = new TempFolder();
        string path = dir.File("bad-magic");
        File.WriteAllBytes(path, [.. magic, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("wrong magic number", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Every_truncation_of_a_raw_file_is_reported_as_truncated()
    {
        using var dir = new TempFolder();
        string path = dir.File("cut");
        for (int length = 0; length < SmallImages.Length; length++)
        {
            File.WriteAllBytes(path, SmallImages[..length]);
            var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void Extra_bytes_after_the_data_are_a_size_mismatch()
    {
        using var dir = new TempFolder();
        string path = dir.File("padded");
        File.WriteAllBytes(path, [.. SmallImages, 0, 0]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains("size mismatch", e.Message);
        Assert.Contains("2 extra bytes", e.Message);
    }

    [Fact]
    public void Zero_sized_dimension_is_rejected()
    {
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Parse(IdxBytes.Build(0x08, [2, 0], []), "zero"));
        Assert.Contains("dimension 1 has invalid size 0", e.Message);
    }

    [Fact]
    public void Every_truncation_of_a_gzip_file_is_detected()
    {
        using var dir = new TempFolder();
        string path = dir.File("cut.gz");
        byte[] gz = IdxBytes.Gzip(IdxBytes.Images(4, 5, 5, i => (byte)(i * 31)));
        for (int length = 0; length < gz.Length; length++)
        {
            File.WriteAllBytes(path, gz[..length]);
            var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void A_flipped_byte_in_gzip_data_never_yields_different_data_silently()
    {
        using var dir = new TempFolder();
        string path = dir.File("flip.gz");
        byte[] original = IdxBytes.Images(4, 5, 5, i => (byte)(i * 31));
        byte[] gz = IdxBytes.Gzip(original);
        int detected = 0, positions = 0;
        // Bytes 0..9 are the gzip header (magic, method, flags, mtime...); from 10 on, deflate data and trailer.
        for (int pos = 10; pos < gz.Length; pos++)
            foreach (byte mask in new byte[] { 0x01, 0x80 })
            {
                positions++;
                byte[] bad = (byte[])gz.Clone();
                bad[pos] ^= mask;
                File.WriteAllBytes(path, bad);
                try
                {
                    // Unused padding bits in the last deflate byte may not matter; the data must then be intact.
                    Assert.Equal(original[16..], IdxReader.Read(path).RawData);
                }
                catch (DataFormatException e)
                {
                    Assert.Contains(path, e.Message);
                    detected++;
                }
            }
        Assert.True(detected >= positions - 2, $"only {detected} of {positions} flips detected");
    }
}
