namespace FocusLab.Engine.Data.Idx;

/// <summary>
/// Element type codes of the IDX format (LeCun et al., the MNIST database page): the third byte of
/// the magic number. MNIST and Fashion-MNIST use only <see cref="UInt8"/>.
/// </summary>
public enum IdxDataType : byte
{
    /// <summary>Unsigned byte (MNIST images and labels).</summary>
    UInt8 = 0x08,
    /// <summary>Signed byte.</summary>
    Int8 = 0x09,
    /// <summary>Big-endian 16-bit integer.</summary>
    Int16 = 0x0B,
    /// <summary>Big-endian 32-bit integer.</summary>
    Int32 = 0x0C,
    /// <summary>Big-endian IEEE single.</summary>
    Float32 = 0x0D,
    /// <summary>Big-endian IEEE double.</summary>
    Float64 = 0x0E,
}

internal static class IdxDataTypeInfo
{
    public static bool IsDefined(byte code) => code is 0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E;

    public static int ElementSize(IdxDataType type) => type switch
    {
        IdxDataType.UInt8 or IdxDataType.Int8 => 1,
        IdxDataType.Int16 => 2,
        IdxDataType.Int32 or IdxDataType.Float32 => 4,
        IdxDataType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown IDX type code."),
    };
}
