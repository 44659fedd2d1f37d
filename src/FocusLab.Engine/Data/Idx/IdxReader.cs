using FocusLab.Optim;
using System.Buffers.Binary;
using System.IO.Compression;
using FocusLab.Engine.Checkpoints;

namespace FocusLab.Engine.Data.Idx;

/// <summary>
/// Reads IDX files (the MNIST format), raw or gzip-compressed (detected by the gzip magic bytes
/// 1F 8B, not by the file name).
/// <para>IDX layout: magic = 0x00 0x00 type ndim; then ndim big-endian u32 dimensions; then the
/// elements, row-major, big-endian. The reader checks the magic, that every dimension is positive,
/// and that the data is exactly product(dims) × element-size bytes, so a truncated or padded file
/// is reported. For gzip files the CRC-32 and length in the gzip trailer are verified against the
/// decompressed bytes (RFC 1952), which catches truncated and corrupted downloads. Only
/// single-member gzip files (what gzip(1) writes) are accepted.</para>
/// </summary>
public static class IdxReader
{
    /// <summary>Largest dimension count accepted (MNIST uses 1 and 3).</summary>
    public const int MaxDimensions = 8;

    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="DataFormatException">The file is not valid IDX, or its gzip stream is corrupt or truncated.</exception>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        byte[] contents = File.ReadAllBytes(path);
        if (IsGzip(contents))
            contents = Gunzip(contents, path);
        return Parse(contents, path);
    }

    /// <summary>Parses uncompressed IDX bytes; <paramref name="path"/> is used in error messages.</summary>
    public static IdxArray Parse(ReadOnlySpan<byte> contents, string path)
    {
        if (contents.Length < 4)
            throw new DataFormatException(path,
                $"truncated IDX file: {contents.Length} bytes, too short for the 4-byte magic number.");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(contents);
        byte typeCode = contents[2];
        int ndim = contents[3];
        if (contents[0] != 0 || contents[1] != 0 || !IdxDataTypeInfo.IsDefined(typeCode) || ndim is 0 or > MaxDimensions)
            throw new DataFormatException(path,
                $"wrong magic number 0x{magic:X8}: an IDX file starts with 0x0000TTNN (TT = type code 08/09/0B/0C/0D/0E, " +
                $"NN = 1..{MaxDimensions} dimensions), e.g. 0x00000803 for MNIST images and 0x00000801 for labels. " +
                "Is this an MNIST-format file?");

        var type = (IdxDataType)typeCode;
        int headerSize = 4 + 4 * ndim;
        if (contents.Length < headerSize)
            throw new DataFormatException(path,
                $"truncated IDX header: {ndim} dimensions need {headerSize} header bytes, the file has {contents.Length}.");

        var shape = new int[ndim];
        long elements = 1;
        for (int d = 0; d < ndim; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(contents[(4 + 4 * d)..]);
            if (size == 0 || size > int.MaxValue)
                throw new DataFormatException(path, $"dimension {d} has invalid size {size}.");
            shape[d] = (int)size;
            elements *= size;
            if (elements > Array.MaxLength)
                throw new DataFormatException(path, $"declared shape [{string.Join(", ", shape[..(d + 1)])}...] is too large to load.");
        }

        long expected = elements * IdxDataTypeInfo.ElementSize(type);
        long actual = contents.Length - headerSize;
        string shapeText = $"[{string.Join(" x ", shape)}] {type}";
        if (actual < expected)
            throw new DataFormatException(path,
                $"truncated IDX data: the header declares {shapeText} = {expected} bytes of data, but only {actual} are present.");
        if (actual > expected)
            throw new DataFormatException(path,
                $"IDX size mismatch: the header declares {shapeText} = {expected} bytes of data, but {actual} are present " +
                $"({actual - expected} extra bytes).");
        if (expected > Array.MaxLength)
            throw new DataFormatException(path, $"{expected} bytes of data is too large to load.");

        return new IdxArray(type, shape, contents.Slice(headerSize, (int)expected).ToArray());
    }

    internal static bool IsGzip(ReadOnlySpan<byte> contents) =>
        contents.Length >= 2 && contents[0] == 0x1F && contents[1] == 0x8B;

    private static byte[] Gunzip(byte[] compressed, string path)
    {
        const int minimumGzipSize = 10 + 8; // header + trailer (RFC 1952)
        if (compressed.Length < minimumGzipSize)
            throw new DataFormatException(path,
                $"truncated gzip file: {compressed.Length} bytes, smaller than the 18-byte gzip header and trailer.");
        // The trailer's ISIZE (uncompressed length mod 2^32) sizes the output buffer exactly. Deflate
        // expands at most ~1032:1, so a larger claim means the trailer is not a real one.
        ReadOnlySpan<byte> trailer = compressed.AsSpan(compressed.Length - 8);
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint storedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (storedSize > Array.MaxLength || storedSize > 1032L * compressed.Length + 1024)
            throw new DataFormatException(path,
                $"truncated or corrupt gzip file: its trailer claims {storedSize} uncompressed bytes, impossible for " +
                $"{compressed.Length} compressed bytes; re-download or reinstall the file.");

        var data = new byte[storedSize];
        int read;
        bool longer;
        try
        {
            using var input = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            read = input.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            Span<byte> probe = stackalloc byte[1];
            longer = read == data.Length && input.Read(probe) > 0;
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data ({e.Message}); re-download or reinstall the file.", e);
        }

        if (read < data.Length || longer)
            throw new DataFormatException(path,
                $"truncated or corrupt gzip file: it decompresses to {(longer ? "more than " + storedSize : read.ToString())} bytes, " +
                $"but its last 8 bytes (the gzip trailer, if the file is complete) record {storedSize}; re-download or reinstall the file.");
        uint actualCrc = Crc32.Compute(data);
        if (storedCrc != actualCrc)
            throw new DataFormatException(path,
                $"corrupt gzip file: CRC-32 of the decompressed data is 0x{actualCrc:X8} but the gzip trailer records " +
                $"0x{storedCrc:X8}; re-download or reinstall the file.");
        return data;
    }
}
