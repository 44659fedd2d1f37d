using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using FocusLab.Optim;

namespace FocusLab.Engine.Nn;

/// <summary>
/// Binary snapshot of a model's parameters and state (running statistics), e.g. the <c>model</c>
/// section of a <see cref="Checkpoints.Checkpoint"/>. Layout (little-endian): magic "FLMODEL1",
/// tensor count, then per tensor: name (UTF-8, length-prefixed), element count, float32 values;
/// finally the CRC-32 (FocusLab.Optim.Crc32) of everything before it. Restoring checks the header,
/// the checksum, every name and size and the exact length before touching the model, so truncated,
/// corrupt or mismatched data gives a clear error and leaves the model unchanged.
/// </summary>
public static class ModelState
{
    private static readonly byte[] Magic = "FLMODEL1"u8.ToArray();

    /// <summary>The snapshot of <paramref name="model"/>'s parameters and state in the layout above (values as float32).</summary>
    public static byte[] ToBytes<T>(Module<T> model) where T : unmanaged, IFloatingPointIeee754<T>
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
            w.Write(Crc32.Compute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        }
        return buffer.ToArray();
    }

    /// <summary>Overwrites <paramref name="model"/>'s parameters and state from a snapshot of a model with the same names and sizes; anything wrong throws <see cref="InvalidDataException"/> before the model is touched.</summary>
    public static void Restore<T>(Module<T> model, ReadOnlySpan<byte> bytes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bytes.Length < Magic.Length + 8 || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException("Not a FocusLab model snapshot (bad header); was it written by ModelState.ToBytes?");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]);
        if (Crc32.Compute(bytes[..^4]) != stored)
            throw new InvalidDataException("The model snapshot is truncated or corrupt (CRC-32 mismatch); restore it from another checkpoint.");
        var entries = Entries(model);
        using var r = new BinaryReader(new MemoryStream(bytes[..^4].ToArray()), Encoding.UTF8);
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
                throw new InvalidDataException($"Snapshot tensor '{n}' ({length} values) does not match model tensor '{name}' ({tensor.Length} values); was it saved from a different architecture?");
            var v = new float[length];
            for (int i = 0; i < length; i++) v[i] = r.ReadSingle();
            values.Add(v);
        }
        if (r.BaseStream.Position != r.BaseStream.Length)
            throw new InvalidDataException("The model snapshot has trailing bytes after the last tensor.");
        for (int k = 0; k < entries.Count; k++)
        {
            var span = entries[k].Tensor.Span;
            for (int i = 0; i < span.Length; i++) span[i] = T.CreateTruncating(values[k][i]);
        }
    }

    private static List<(string Name, Tensors.Tensor<T> Tensor)> Entries<T>(Module<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = model.Parameters.Select(p => (p.Name, p.Value)).ToList();
        var state = model.State;
        for (int i = 0; i < state.Count; i++) list.Add(($"state.{i}", state[i]));
        return list;
    }
}
