using System.Buffers.Binary;
using FocusLab.Engine.Data.Sampling;

namespace FocusLab.Engine.Data.Text;

/// <summary>
/// The exact position of a <see cref="TextBatchSampler"/>: its configuration (checked on restore)
/// and generator state. Restoring it reproduces every later batch bit for bit.
/// </summary>
public readonly record struct TextSamplerState(long TokenCount, int BatchSize, int BlockSize, long BatchesDrawn, Xoshiro256State Rng)
{
    /// <summary>Serialised size: tag "FLTS", u32 version, i64 tokens, i32 batch, i32 block, i64 batches drawn, 32-byte RNG state.</summary>
    public const int ByteSize = 4 + 4 + 8 + 4 + 4 + 8 + Xoshiro256State.ByteSize;
    private const uint Version = 1;
    private static ReadOnlySpan<byte> Tag => "FLTS"u8;

    /// <summary>Little-endian binary form, suitable for a checkpoint's "sampler" section.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteSize];
        Tag.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), TokenCount);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), BatchSize);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), BlockSize);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24), BatchesDrawn);
        Rng.WriteTo(bytes.AsSpan(32));
        return bytes;
    }

    /// <exception cref="InvalidDataException">The bytes are not a version-1 text-sampler state.</exception>
    public static TextSamplerState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteSize || !bytes[..4].SequenceEqual(Tag))
            throw new InvalidDataException(
                $"Not a text-sampler state: expected {ByteSize} bytes starting with \"FLTS\", got {bytes.Length} bytes.");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (version != Version)
            throw new InvalidDataException($"Text-sampler state has version {version}; this build reads version {Version}.");
        return new TextSamplerState(
            BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            Xoshiro256State.ReadFrom(bytes[32..]));
    }
}
