using System.Runtime.InteropServices;
using System.Text;

namespace FocusLab.Engine.Checkpoints;

/// <summary>
/// An in-memory checkpoint: an ordered set of named byte sections (see <see cref="CheckpointSections"/>
/// for the conventional names). Save with <see cref="Save"/> (atomic, checksummed) and load with
/// <see cref="Load"/>; the on-disk format is documented on <see cref="CheckpointFile"/>.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Longest section name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    private readonly List<string> _order = [];
    private readonly Dictionary<string, byte[]> _sections = new(StringComparer.Ordinal);

    /// <summary>Section names in the order they were first added (the order they are stored in).</summary>
    public IReadOnlyList<string> SectionNames => _order;

    /// <summary>Whether a section of that name exists.</summary>
    public bool Contains(string name) => _sections.ContainsKey(name);

    /// <summary>Adds or replaces a section with a copy of <paramref name="data"/>.</summary>
    public void Set(string name, ReadOnlySpan<byte> data)
    {
        ValidateName(name);
        if (!_sections.ContainsKey(name)) _order.Add(name);
        _sections[name] = data.ToArray();
    }

    /// <summary>Stores float32 values as little-endian bytes.</summary>
    public void SetFloats(string name, ReadOnlySpan<float> values)
    {
        EnsureLittleEndian();
        Set(name, MemoryMarshal.AsBytes(values));
    }

    /// <summary>Stores a UTF-8 string (for example JSON for <see cref="CheckpointSections.MetaJson"/>).</summary>
    public void SetText(string name, string text) => Set(name, Encoding.UTF8.GetBytes(text));

    /// <summary>A copy of the section's bytes.</summary>
    /// <exception cref="KeyNotFoundException">No such section; the message lists the ones present.</exception>
    public byte[] Get(string name) => GetView(name).ToArray();

    /// <summary>The section's bytes without copying.</summary>
    public ReadOnlyMemory<byte> GetView(string name)
    {
        if (_sections.TryGetValue(name, out var data)) return data;
        throw new KeyNotFoundException(
            $"Checkpoint has no section '{name}'; it has: {(_order.Count == 0 ? "(none)" : string.Join(", ", _order))}.");
    }

    /// <summary>Gets a copy of the section's bytes if present.</summary>
    public bool TryGet(string name, out byte[] data)
    {
        if (_sections.TryGetValue(name, out var stored)) { data = stored.ToArray(); return true; }
        data = [];
        return false;
    }

    /// <summary>Reads a section written by <see cref="SetFloats"/>.</summary>
    public float[] GetFloats(string name)
    {
        EnsureLittleEndian();
        var bytes = GetView(name).Span;
        if (bytes.Length % sizeof(float) != 0)
            throw new InvalidDataException(
                $"Checkpoint section '{name}' has {bytes.Length} bytes, not a whole number of float32 values.");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>Reads a section written by <see cref="SetText"/>.</summary>
    public string GetText(string name) => Encoding.UTF8.GetString(GetView(name).Span);

    /// <summary>Writes the checkpoint atomically (temp file, fsync, rename); see <see cref="CheckpointFile"/>.</summary>
    public void Save(string path) => CheckpointFile.Write(path, this);

    /// <summary>Reads and verifies a checkpoint file.</summary>
    /// <exception cref="CheckpointFormatException">Not a checkpoint, wrong version, truncated or corrupt.</exception>
    public static Checkpoint Load(string path) => CheckpointFile.Read(path);

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0 || bytes > MaxNameBytes)
            throw new ArgumentException(
                $"Checkpoint section name must be 1..{MaxNameBytes} UTF-8 bytes; got {bytes} bytes.", nameof(name));
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Checkpoint float sections assume a little-endian CPU.");
    }
}
