using System.Buffers.Binary;

namespace FocusLab.Engine.Data.Sampling;

/// <summary>
/// The exact position of a <see cref="ShuffledBatchSampler"/>: restoring it reproduces every later
/// batch bit for bit. <see cref="EpochStartRng"/> is the generator state from which the current
/// epoch's permutation was drawn, so the permutation is regenerated rather than stored.
/// </summary>
/// <param name="Count">Number of samples in the dataset (checked on restore).</param>
/// <param name="BatchSize">Batch size (checked on restore).</param>
/// <param name="Epoch">Current epoch, from 0.</param>
/// <param name="Index">Position in the current epoch's permutation of the next sample to hand out.</param>
/// <param name="EpochStartRng">Generator state before the current epoch's shuffle.</param>
public readonly record struct ShuffledBatchSamplerState(
    int Count, int BatchSize, long Epoch, int Index, Xoshiro256State EpochStartRng)
{
    /// <summary>Serialised size: tag "FLBS", u32 version, i32 count, i32 batch, i64 epoch, i32 index, 32-byte RNG state.</summary>
    public const int ByteSize = 4 + 4 + 4 + 4 + 8 + 4 + Xoshiro256State.ByteSize;
    private const uint Version = 1;
    private static ReadOnlySpan<byte> Tag => "FLBS"u8;

    /// <summary>Little-endian binary form, suitable for a checkpoint's "sampler" section.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteSize];
        Tag.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Count);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), BatchSize);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), Epoch);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), Index);
        EpochStartRng.WriteTo(bytes.AsSpan(28));
        return bytes;
    }

    /// <exception cref="InvalidDataException">The bytes are not a version-1 batch-sampler state.</exception>
    public static ShuffledBatchSamplerState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteSize || !bytes[..4].SequenceEqual(Tag))
            throw new InvalidDataException(
                $"Not a shuffled-batch-sampler state: expected {ByteSize} bytes starting with \"FLBS\", got {bytes.Length} bytes.");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (version != Version)
            throw new InvalidDataException($"Shuffled-batch-sampler state has version {version}; this build reads version {Version}.");
        return new ShuffledBatchSamplerState(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]),
            Xoshiro256State.ReadFrom(bytes[28..]));
    }
}
