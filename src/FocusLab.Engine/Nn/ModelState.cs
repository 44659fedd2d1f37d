using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace FocusLab.Engine.Nn;

/// <summary>
/// Binary snapshot of a model's parameters and state (running statistics), for checkpoints.
/// Layout (little-endian): magic "FLMODEL1", tensor count, then per tensor: name (UTF-8, length
/// prefixed), element count, float32 values; finally a 64-bit FNV-1a hash of everything before it. Loading checks
/// names, sizes and the checksum, so a truncated, corrupt or mismatched file gives a clear error.
/// Values are stored as float32 (the training precision).
/// </summary>
public static class ModelState
{
    private static readonly byte[] Magic = "FLMODEL1"u8.ToArray();

    public static void Save<T>(Module<T> model, Stream stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            var entries = Entries(model);
            w.Write(entries.Count);
            foreach (var (name, tensor) in entries)
            {
                w.Write(name);
                w.Write(tensor.Length);
                foreach (var v in tensor.Span) w.Write(float.CreateTruncating(v));
            }
        }
        var crc = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, Fnv1a.Hash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        stream.Write(crc);
    }

    /// <summary>Writes to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Save<T>(Module<T> model, string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string temp = path + ".tmp";
        using (var f = File.Create(temp)) Save(model, f);
        File.Move(temp, path, overwrite: true);
    }

    public static void Load<T>(Module<T> model, Stream stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        if (bytes.Length < Magic.Length + 12 || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException("Not a FocusLab model snapshot (bad header); was the file written by ModelState.Save?");
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]);
        if (Fnv1a.Hash(bytes[..^8]) != stored)
            throw new InvalidDataException("The model snapshot is truncated or corrupt (checksum mismatch); restore it from another checkpoint.");
        var entries = Entries(model);
        using var r = new BinaryReader(new MemoryStream(bytes[..^8].ToArray()), Encoding.UTF8);
        r.ReadBytes(Magic.Length);
        int count = r.ReadInt32();
        if (count != entries.Count)
            throw new InvalidDataException($"The snapshot has {count} tensors but the model has {entries.Count}; was it saved from a different architecture?");
        var values = new List<float[]>(count);
        foreach (var (name, tensor) in entries)
        {
            string n = r.ReadString();
            int length = r.ReadInt32();
            if (n != name || length != tensor.Length)
                throw new InvalidDataException($"Snapshot tensor '{n}' ({length} values) does not match model tensor '{name}' ({tensor.Length} values).");
            var v = new float[length];
            for (int i = 0; i < length; i++) v[i] = r.ReadSingle();
            values.Add(v);
        }
        // Only now, with everything validated, overwrite the model.
        for (int k = 0; k < entries.Count; k++)
        {
            var span = entries[k].Tensor.Span;
            for (int i = 0; i < span.Length; i++) span[i] = T.CreateTruncating(values[k][i]);
        }
    }

    public static void Load<T>(Module<T> model, string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var f = File.OpenRead(path);
        Load(model, f);
    }

    private static List<(string Name, Tensors.Tensor<T> Tensor)> Entries<T>(Module<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = model.Parameters.Select(p => (p.Name, p.Value)).ToList();
        var state = model.State;
        for (int i = 0; i < state.Count; i++) list.Add(($"state.{i}", state[i]));
        return list;
    }
}
