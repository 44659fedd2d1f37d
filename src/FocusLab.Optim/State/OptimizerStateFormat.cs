using System.Runtime.InteropServices;
using System.Text;

namespace FocusLab.Optim;

/// <summary>
/// The optimizer state file, version 1 (all integers little-endian, strings as .NET BinaryWriter
/// strings: 7-bit-encoded byte length then UTF-8):
/// <code>
/// magic    8 bytes  "FLOPTIM\0"
/// version  int32    1
/// id       string   optimizer id, e.g. "focus"
/// step     int64    t of the last completed step
/// groups   int32 G, then per group:
///            int32 P, then per parameter: string name, int32 rank, int32 × rank shape
///            int32 H, then per hyperparameter: string name, float64 value
/// state    int32 S, then per buffer: string key ("w/exp_avg", "group0/v"), byte element size
///            (4 = float32, 8 = float64), int64 count, count elements
/// crc32    uint32   CRC-32 of every byte before it, magic included
/// </code>
/// Loading reads and checks the whole file first: a bad magic, version, checksum, truncation, or any
/// mismatch of names, shapes or state keys throws with a message listing every difference, and the
/// optimizer is left unchanged.
/// </summary>
public static class OptimizerStateFormat
{
    /// <summary>The format version this library writes and reads; a file of another version is refused.</summary>
    public const int Version = 1;
    private static ReadOnlySpan<byte> Magic => "FLOPTIM\0"u8;

    /// <summary>Writes the whole state of <paramref name="opt"/> to <paramref name="stream"/> in the format above, checksum last.</summary>
    /// <param name="opt">The optimizer to save.</param>
    /// <param name="stream">Where the bytes go; it is flushed but not closed.</param>
    public static void Write(Optimizer opt, Stream stream)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(opt.Id);
            w.Write(opt.StepCount);
            w.Write(opt.Groups.Count);
            foreach (var g in opt.Groups)
            {
                w.Write(g.Parameters.Count);
                foreach (var p in g.Parameters)
                {
                    w.Write(p.Name);
                    w.Write(p.Shape.Length);
                    foreach (int d in p.Shape) w.Write(d);
                }
                var names = g.Names.ToArray();
                w.Write(names.Length);
                foreach (var n in names) { w.Write(n); w.Write(g.Get(n)); }
            }
            w.Write(opt.StateEntries.Count);
            foreach (var e in opt.StateEntries)
            {
                w.Write(e.Key);
                if (e.Floats is { } f) { w.Write((byte)4); w.Write((long)f.Length); w.Write(MemoryMarshal.AsBytes(f.AsSpan())); }
                else { var d = e.Doubles!; w.Write((byte)8); w.Write((long)d.Length); w.Write(MemoryMarshal.AsBytes(d.AsSpan())); }
            }
        }
        uint crc = Crc32.Compute(ms.GetBuffer().AsSpan(0, (int)ms.Length));
        ms.Write(BitConverter.GetBytes(crc));
        ms.Position = 0;
        ms.CopyTo(stream);
        stream.Flush();
    }

    /// <summary>Reads a whole state file from <paramref name="stream"/>, checks it against <paramref name="opt"/> and only then restores step count, hyperparameters and buffers; any problem throws <see cref="InvalidDataException"/> listing every mismatch.</summary>
    /// <param name="opt">The optimizer to restore.</param>
    /// <param name="stream">The state file's bytes, read to the end.</param>
    public static void Read(Optimizer opt, Stream stream)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        var bytes = ms.GetBuffer().AsSpan(0, (int)ms.Length);
        if (bytes.Length == 0)
            throw new InvalidDataException("Optimizer state file is empty (0 bytes); it was truncated or never written.");
        int head = Math.Min(bytes.Length, Magic.Length);
        if (!bytes[..head].SequenceEqual(Magic[..head]))
            throw new InvalidDataException("Not a FocusLab optimizer state file (bad magic bytes). Was it written by Optimizer.SaveState?");
        if (bytes.Length < Magic.Length + 8)
            throw new InvalidDataException($"Optimizer state file is truncated: {bytes.Length} bytes, shorter than the {Magic.Length + 8}-byte header and checksum.");
        int version = BitConverter.ToInt32(bytes.Slice(Magic.Length, 4));
        if (version != Version)
            throw new InvalidDataException($"Optimizer state format version {version} is not supported (this build reads version {Version}).");
        uint stored = BitConverter.ToUInt32(bytes[^4..]);
        uint actual = Crc32.Compute(bytes[..^4]);
        if (stored != actual)
            throw new InvalidDataException($"Optimizer state file is corrupt or truncated: checksum 0x{actual:X8} does not match the stored 0x{stored:X8}.");

        var problems = new List<string>();
        var pendingFloats = new List<(float[] Target, byte[] Bytes)>();
        var pendingDoubles = new List<(double[] Target, byte[] Bytes)>();
        var pendingHyper = new List<(ParameterGroup Group, string Name, double Value)>();
        long step;
        try
        {
            using var r = new BinaryReader(new MemoryStream(ms.GetBuffer(), Magic.Length + 4, (int)ms.Length - Magic.Length - 8), Encoding.UTF8);
            string id = r.ReadString();
            if (id != opt.Id) problems.Add($"the file holds state of optimizer '{id}', not '{opt.Id}'");
            step = r.ReadInt64();
            int groupCount = r.ReadInt32();
            if (groupCount != opt.Groups.Count) problems.Add($"the file has {groupCount} parameter groups, the optimizer {opt.Groups.Count}");
            for (int gi = 0; gi < groupCount; gi++)
            {
                var g = gi < opt.Groups.Count ? opt.Groups[gi] : null;
                int pc = r.ReadInt32();
                var fileParams = new List<(string Name, int[] Shape)>();
                for (int k = 0; k < pc; k++)
                {
                    string name = r.ReadString();
                    var shape = new int[r.ReadInt32()];
                    for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt32();
                    fileParams.Add((name, shape));
                }
                if (g is not null) CompareParameters(gi, fileParams, g.Parameters, problems);
                int hc = r.ReadInt32();
                for (int k = 0; k < hc; k++)
                {
                    string name = r.ReadString();
                    double value = r.ReadDouble();
                    if (g is null) continue;
                    if (!g.Has(name)) { problems.Add($"group {gi}: hyperparameter '{name}' is unknown to {opt.Id}"); continue; }
                    // Validated now, so an out-of-range value refuses the whole file instead of failing halfway through applying it.
                    try { g.Definitions[name].Validate(value, opt.Id); pendingHyper.Add((g, name, value)); }
                    catch (ArgumentException e) { problems.Add($"group {gi}: {e.Message}"); }
                }
            }
            int sc = r.ReadInt32();
            var byKey = opt.StateEntries.ToDictionary(e => e.Key);
            var seen = new HashSet<string>();
            for (int k = 0; k < sc; k++)
            {
                string key = r.ReadString();
                byte size = r.ReadByte();
                long count = r.ReadInt64();
                if (size is not (4 or 8) || count < 0 || count * size > r.BaseStream.Length - r.BaseStream.Position)
                    throw new InvalidDataException($"state buffer '{key}' has an impossible size");
                byte[] data = r.ReadBytes(checked((int)(count * size)));
                seen.Add(key);
                if (!byKey.TryGetValue(key, out var e)) { problems.Add($"state '{key}' is in the file but not in the optimizer"); continue; }
                long expected = e.Floats?.Length ?? e.Doubles!.Length;
                int expectedSize = e.Floats is not null ? 4 : 8;
                if (count != expected || size != expectedSize) { problems.Add($"state '{key}' has {count} values of {size} bytes in the file, the optimizer expects {expected} of {expectedSize}"); continue; }
                if (e.Floats is { } f) pendingFloats.Add((f, data)); else pendingDoubles.Add((e.Doubles!, data));
            }
            foreach (var key in byKey.Keys.Where(k => !seen.Contains(k))) problems.Add($"state '{key}' is missing from the file");
            if (r.BaseStream.Position != r.BaseStream.Length) problems.Add("unexpected bytes after the state buffers");
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Optimizer state file is truncated inside its payload.");
        }
        if (problems.Count > 0)
            throw new InvalidDataException("The optimizer state does not match this optimizer:\n- " + string.Join("\n- ", problems));

        foreach (var (target, data) in pendingFloats) MemoryMarshal.Cast<byte, float>(data).CopyTo(target);
        foreach (var (target, data) in pendingDoubles) MemoryMarshal.Cast<byte, double>(data).CopyTo(target);
        foreach (var (g, name, value) in pendingHyper) g.Set(name, value);
        opt.StepCount = step;
        opt.OnStateLoaded();
    }

    private static void CompareParameters(int group, List<(string Name, int[] Shape)> file, IReadOnlyList<Parameter> model, List<string> problems)
    {
        var modelByName = model.ToDictionary(p => p.Name);
        var fileNames = new HashSet<string>(file.Select(f => f.Name));
        foreach (var (name, shape) in file)
        {
            if (!modelByName.TryGetValue(name, out var p)) problems.Add($"group {group}: parameter '{name}' [{string.Join(", ", shape)}] is in the file but not in the model");
            else if (!p.Shape.SequenceEqual(shape)) problems.Add($"group {group}: parameter '{name}' has shape [{string.Join(", ", shape)}] in the file but {p.ShapeText} in the model");
        }
        foreach (var p in model.Where(p => !fileNames.Contains(p.Name)))
            problems.Add($"group {group}: parameter '{p.Name}' {p.ShapeText} is in the model but not in the file");
        if (problems.Count == 0 && !file.Select(f => f.Name).SequenceEqual(model.Select(p => p.Name)))
            problems.Add($"group {group}: parameters are in a different order than when the state was saved");
    }
}
