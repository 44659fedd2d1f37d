using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Binary file of one shard's <see cref="SweepResult"/>: magic "FLPHASE1", a little-endian int32
/// length and a UTF-8 JSON header (grid, shard, point-replicate range), the three float32 arrays, and
/// an FNV-1a 64 checksum of everything before it. Written to a temp file and renamed, so an
/// interrupted run never leaves a half-written shard; truncation and corruption are detected on read.
/// </summary>
public static class ShardFile
{
    private static readonly byte[] Magic = "FLPHASE1"u8.ToArray();

    public static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string FileName(int index, int count) => $"shard-{index:D4}-of-{count:D4}.bin";

    public static void Write(string path, SweepResult r)
    {
        var header = new JsonObject
        {
            ["grid"] = JsonSerializer.SerializeToNode(r.Grid, Json),
            ["shard_index"] = r.ShardIndex,
            ["shard_count"] = r.ShardCount,
            ["start"] = r.Start,
            ["count"] = r.Count,
        };
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        string tmp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                ulong hash = Fnv.Offset;
                void Put(ReadOnlySpan<byte> bytes) { hash = Fnv.Hash(hash, bytes); fs.Write(bytes); }
                Span<byte> len = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(len, headerBytes.Length);
                Put(Magic); Put(len); Put(headerBytes);
                foreach (var a in new[] { r.FinalLoss, r.MinLoss, r.MaxU })
                    for (long off = 0; off < a.LongLength; off += 1 << 20)
                        Put(MemoryMarshal.AsBytes(a.AsSpan((int)off, (int)Math.Min(1 << 20, a.LongLength - off))));
                Span<byte> tail = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(tail, hash);
                fs.Write(tail);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally { if (File.Exists(tmp)) File.Delete(tmp); }
    }

    public static SweepResult Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        string Bad(string what) => $"{path}: {what}; the shard file is corrupt or truncated — delete it and rerun that shard";
        ulong hash = Fnv.Offset;
        void Get(Span<byte> bytes)
        {
            if (fs.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length) throw new InvalidDataException(Bad("unexpected end of file"));
            hash = Fnv.Hash(hash, bytes);
        }
        var magic = new byte[8]; Get(magic);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"{path} is not a FocusLab phase shard file (bad magic)");
        var len = new byte[4]; Get(len);
        int hl = BinaryPrimitives.ReadInt32LittleEndian(len);
        if (hl <= 0 || hl > 1 << 26) throw new InvalidDataException(Bad("bad header length"));
        var hb = new byte[hl]; Get(hb);
        JsonNode header;
        try { header = JsonNode.Parse(hb) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException(Bad("unreadable header: " + e.Message)); }
        var grid = header["grid"].Deserialize<SweepGrid>(Json) ?? throw new InvalidDataException(Bad("missing grid"));
        int index = (int)header["shard_index"]!, count = (int)header["shard_count"]!;
        long start = (long)header["start"]!, n = (long)header["count"]!;
        long runs = (long)grid.NOpt * grid.NLr * n;
        long expected = 8 + 4 + hl + 3 * runs * 4 + 8;
        if (fs.Length != expected) throw new InvalidDataException(Bad($"size {fs.Length} bytes, expected {expected}"));
        var arrays = new float[3][];
        for (int k = 0; k < 3; k++)
        {
            arrays[k] = new float[runs];
            for (long off = 0; off < runs; off += 1 << 20)
                Get(MemoryMarshal.AsBytes(arrays[k].AsSpan((int)off, (int)Math.Min(1 << 20, runs - off))));
        }
        var tail = new byte[8];
        if (fs.ReadAtLeast(tail, 8, throwOnEndOfStream: false) != 8) throw new InvalidDataException(Bad("missing checksum"));
        if (BinaryPrimitives.ReadUInt64LittleEndian(tail) != hash) throw new InvalidDataException(Bad("checksum mismatch"));
        return new SweepResult(grid, index, count, start, n, arrays[0], arrays[1], arrays[2]);
    }

    /// <summary>
    /// Combines shards i = 0..N−1 of one grid into the result of an unsharded run. Refuses shards of
    /// different grids or shard counts, duplicates and gaps, naming the missing shards.
    /// </summary>
    public static SweepResult Merge(IReadOnlyList<SweepResult> shards)
    {
        if (shards.Count == 0) throw new ArgumentException("no shard files to merge");
        var first = shards[0];
        string gridJson = JsonSerializer.Serialize(first.Grid, Json);
        int n = first.ShardCount;
        var byIndex = new SweepResult?[n];
        foreach (var s in shards)
        {
            if (s.ShardCount != n) throw new ArgumentException($"shards come from runs with different shard counts ({n} and {s.ShardCount})");
            if (JsonSerializer.Serialize(s.Grid, Json) != gridJson) throw new ArgumentException($"shard {s.ShardIndex}/{n} was computed for a different grid or seed; merge only shards of one command");
            if (byIndex[s.ShardIndex] is not null) throw new ArgumentException($"shard {s.ShardIndex}/{n} given twice");
            var (start, count) = SweepEngine.ShardRange(s.Grid, s.ShardIndex, n);
            if (s.Start != start || s.Count != count) throw new ArgumentException($"shard {s.ShardIndex}/{n} covers an unexpected range");
            byIndex[s.ShardIndex] = s;
        }
        var missing = Enumerable.Range(0, n).Where(i => byIndex[i] is null).ToList();
        if (missing.Count > 0) throw new ArgumentException($"missing shard(s) {string.Join(", ", missing)} of {n}; run `focuslab phase ... --shard i/{n}` for them first");
        var g = first.Grid;
        long total = g.PointReplicates, runs = (long)g.NOpt * g.NLr * total;
        var f = new float[runs]; var m = new float[runs]; var u = new float[runs];
        foreach (var s in byIndex)
            for (int r = 0; r < g.NOpt * g.NLr; r++)
            {
                Array.Copy(s!.FinalLoss, r * s.Count, f, r * total + s.Start, s.Count);
                Array.Copy(s.MinLoss, r * s.Count, m, r * total + s.Start, s.Count);
                Array.Copy(s.MaxU, r * s.Count, u, r * total + s.Start, s.Count);
            }
        return new SweepResult(g, 0, 1, 0, total, f, m, u);
    }

    /// <summary>FNV-1a 64-bit over the bytes (enough to catch truncation and bit rot; not cryptographic).</summary>
    private static class Fnv
    {
        public const ulong Offset = 14695981039346656037UL;
        private const ulong Prime = 1099511628211UL;
        public static ulong Hash(ulong h, ReadOnlySpan<byte> data)
        {
            foreach (byte b in data) { h ^= b; h *= Prime; }
            return h;
        }
    }
}
