using System.Buffers.Binary;

namespace FocusLab.Engine.Data.Idx;

/// <summary>
/// The contents of one IDX file: element type, shape (outermost dimension first) and the raw
/// element bytes exactly as stored (multi-byte types are big-endian in IDX).
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(IdxDataType dataType, int[] shape, byte[] rawData)
    {
        DataType = dataType;
        Shape = shape;
        RawData = rawData;
    }

    /// <summary>The element type named by the file's magic number.</summary>
    public IdxDataType DataType { get; }
    /// <summary>Dimensions, outermost first; e.g. [60000, 28, 28] for MNIST training images.</summary>
    public int[] Shape { get; }
    /// <summary>Element bytes in file order (big-endian for multi-byte types).</summary>
    public byte[] RawData { get; }
    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount => RawData.LongLength / IdxDataTypeInfo.ElementSize(DataType);

    /// <summary>The elements as bytes; only for <see cref="IdxDataType.UInt8"/> (MNIST images and labels).</summary>
    public byte[] AsUInt8() => DataType == IdxDataType.UInt8
        ? RawData
        : throw new InvalidOperationException($"IDX data has type {DataType}, not UInt8.");

    /// <summary>Every element converted to float32 (any IDX type).</summary>
    public float[] ToFloat32()
    {
        var result = new float[ElementCount];
        ReadOnlySpan<byte> raw = RawData;
        switch (DataType)
        {
            case IdxDataType.UInt8: for (int i = 0; i < result.Length; i++) result[i] = raw[i]; break;
            case IdxDataType.Int8: for (int i = 0; i < result.Length; i++) result[i] = (sbyte)raw[i]; break;
            case IdxDataType.Int16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16BigEndian(raw[(2 * i)..]);
                break;
            case IdxDataType.Int32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32BigEndian(raw[(4 * i)..]);
                break;
            case IdxDataType.Float32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleBigEndian(raw[(4 * i)..]);
                break;
            case IdxDataType.Float64:
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(raw[(8 * i)..]);
                break;
        }
        return result;
    }
}
