using FocusLab.Optim;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace FocusLab.Engine.Checkpoints;

/// <summary>
/// Reads and writes the FocusLab checkpoint container, format version 1.
/// <para>Layout (all integers little-endian):</para>
/// <code>
/// offset  size  field
/// ---- header (32 bytes) ----
///   0      8    magic, ASCII "FOCUSCKP"
///   8      4    u32 format version (= 1)
///  12      4    u32 section count S
///  16      8    u64 total file length in bytes, header and trailer included
///  24      4    u32 flags (= 0, reserved)
///  28      4    u32 CRC-32 of bytes 0..27 (so a damaged header is not mistaken for a new version)
/// ---- section table: S entries, in file order ----
///          2    u16 name length n (1..255)
///          n    name, UTF-8, unique within the file
///          8    u64 data length
/// ---- section data: the S payloads concatenated in table order ----
/// ---- trailer (12 bytes) ----
///          4    u32 CRC-32 (IEEE, as zlib) of every byte from offset 0 to the start of the trailer
///          8    end magic, ASCII "FOCUSEND"
/// </code>
/// <para>Writing goes to a temporary file in the destination folder, which is flushed to disk
/// (<c>FileStream.Flush(true)</c>), closed, then renamed over the destination (rename(2) is atomic
/// on POSIX file systems). A crash or exception at any point leaves the previous checkpoint intact;
/// at worst a stray <c>*.tmp-*</c> file remains.</para>
/// </summary>
public static class CheckpointFile
{
    /// <summary>The version this build writes and the only one it reads.</summary>
    public const uint FormatVersion = 1;

    internal const int HeaderSize = 32;
    internal const int TrailerSize = 12;
    internal static ReadOnlySpan<byte> Magic => "FOCUSCKP"u8;
    internal static ReadOnlySpan<byte> EndMagic => "FOCUSEND"u8;

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Checkpoint checkpoint) => Write(path, checkpoint, wrapStream: null);

    /// <summary>As <see cref="Write(string, Checkpoint)"/>, with a hook around the temporary file's stream.</summary>
    /// <param name="path">The checkpoint file to create or replace.</param>
    /// <param name="checkpoint">What to write.</param>
    /// <param name="wrapStream">Test hook: wraps the temp-file stream (e.g. to inject a failure mid-write).</param>
    internal static void Write(string path, Checkpoint checkpoint, Func<Stream, Stream>? wrapStream)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"Checkpoint path '{path}' has no parent folder.", nameof(path));
        Directory.CreateDirectory(directory);
        string tempPath = $"{fullPath}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";

        try
        {
            using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Stream output = wrapStream is null ? file : wrapStream(file);
                WriteContents(output, checkpoint);
                output.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
            FlushDirectory(directory);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>Reads and fully verifies a checkpoint.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">Not a checkpoint, wrong version, truncated or corrupt.</exception>
    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    internal static Checkpoint Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            if (bytes.Length < Magic.Length && Magic.StartsWith(bytes))
                throw Truncated(path, bytes.Length, HeaderSize + TrailerSize);
            throw new CheckpointFormatException(path, "is not a FocusLab checkpoint (the file does not start with \"FOCUSCKP\").");
        }
        if (bytes.Length < HeaderSize)
            throw Truncated(path, bytes.Length, HeaderSize + TrailerSize);

        uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[28..]);
        if (Crc32.Compute(bytes[..28]) != headerCrc)
            throw new CheckpointFormatException(path, "is corrupt: the header checksum does not match.");

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != FormatVersion)
            throw new CheckpointFormatException(path,
                $"has format version {version}, but this build of FocusLab reads only version {FormatVersion}.");

        uint sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]);
        if ((ulong)bytes.Length < declaredLength)
            throw Truncated(path, bytes.Length, declaredLength);
        if ((ulong)bytes.Length > declaredLength)
            throw new CheckpointFormatException(path,
                $"is corrupt: it has {bytes.Length} bytes but its header declares {declaredLength} (extra data at the end).");
        if (flags != 0)
            throw new CheckpointFormatException(path, $"has unknown flags 0x{flags:X8}; it was written by a newer FocusLab.");

        int trailerStart = bytes.Length - TrailerSize;
        if (trailerStart < HeaderSize || !bytes[(trailerStart + 4)..].SequenceEqual(EndMagic))
            throw new CheckpointFormatException(path, "is corrupt: the end marker \"FOCUSEND\" is missing.");
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[trailerStart..]);
        uint actualCrc = Crc32.Compute(bytes[..trailerStart]);
        if (storedCrc != actualCrc)
            throw new CheckpointFormatException(path,
                $"is corrupt: CRC-32 of the contents is 0x{actualCrc:X8} but the file records 0x{storedCrc:X8}.");

        // The checksum matched, so the structure below was written by us; bounds are still checked
        // so that a checksum collision cannot cause an out-of-range read.
        var checkpoint = new Checkpoint();
        int pos = HeaderSize;
        var entries = new List<(string Name, ulong Length)>();
        for (uint s = 0; s < sectionCount; s++)
        {
            if (pos + 2 > trailerStart) throw Malformed(path, "the section table runs past the end of the file");
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[pos..]);
            pos += 2;
            if (nameLength == 0 || pos + nameLength + 8 > trailerStart)
                throw Malformed(path, $"section {s} has an invalid name length {nameLength}");
            string name = Encoding.UTF8.GetString(bytes.Slice(pos, nameLength));
            pos += nameLength;
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes[pos..]);
            pos += 8;
            if (entries.Exists(e => e.Name == name))
                throw Malformed(path, $"section '{name}' appears twice");
            entries.Add((name, length));
        }
        foreach (var (name, length) in entries)
        {
            if (length > (ulong)(trailerStart - pos))
                throw Malformed(path, $"section '{name}' declares {length} bytes, more than remain in the file");
            checkpoint.Set(name, bytes.Slice(pos, (int)length));
            pos += (int)length;
        }
        if (pos != trailerStart)
            throw Malformed(path, $"{trailerStart - pos} unaccounted bytes after the last section");
        return checkpoint;
    }

    private static void WriteContents(Stream output, Checkpoint checkpoint)
    {
        var names = checkpoint.SectionNames;
        // Section table.
        var table = new MemoryStream();
        Span<byte> scratch = stackalloc byte[8];
        ulong dataLength = 0;
        foreach (string name in names)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)nameBytes.Length);
            table.Write(scratch[..2]);
            table.Write(nameBytes);
            ulong length = (ulong)checkpoint.GetView(name).Length;
            BinaryPrimitives.WriteUInt64LittleEndian(scratch, length);
            table.Write(scratch);
            dataLength += length;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)names.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..],
            (ulong)HeaderSize + (ulong)table.Length + dataLength + TrailerSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32.Compute(header[..28]));

        uint crc = Crc32.Compute(header);
        output.Write(header);
        var tableBytes = table.GetBuffer().AsSpan(0, (int)table.Length);
        crc = Crc32.Append(crc, tableBytes);
        output.Write(tableBytes);
        foreach (string name in names)
        {
            var data = checkpoint.GetView(name).Span;
            crc = Crc32.Append(crc, data);
            output.Write(data);
        }

        Span<byte> trailer = stackalloc byte[TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        EndMagic.CopyTo(trailer[4..]);
        output.Write(trailer);
    }

    private static CheckpointFormatException Truncated(string path, long actual, ulong expected) =>
        new(path, $"is truncated: it has {actual} bytes but a complete file needs {(expected > (ulong)actual ? expected.ToString() : "more")} " +
                  "(the write was interrupted or the file was cut short).");

    private static CheckpointFormatException Malformed(string path, string what) =>
        new(path, $"is malformed although its checksum matches: {what}.");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // On POSIX the rename itself is only durable once the directory entry is flushed; .NET has no
    // API for fsync on a directory, so call libc directly. Best effort: the rename is already atomic.
    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            int fd = NativeMethods.open(directory, 0 /* O_RDONLY */);
            if (fd < 0) return;
            NativeMethods.fsync(fd);
            NativeMethods.close(fd);
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)]
        internal static extern int fsync(int fd);
        [DllImport("libc", SetLastError = true)]
        internal static extern int close(int fd);
    }
}
