using FocusLab.Optim;
using System.Buffers.Binary;
using FocusLab.Engine.Checkpoints;
using FocusLab.Engine.Tests.Data;

namespace FocusLab.Engine.Tests.Checkpoints;

public class CheckpointFileTests
{
    private static Checkpoint Sample(float scale = 1f)
    {
        var c = new Checkpoint();
        c.SetFloats(CheckpointSections.Model, [1.5f * scale, -2f, float.Epsilon, 3e38f]);
        c.Set(CheckpointSections.Optimizer, [1, 2, 3, 255, 0]);
        c.Set(CheckpointSections.Sampler, []);
        c.Set(CheckpointSections.Rng, [42]);
        c.SetText(CheckpointSections.MetaJson, "{\"step\": 12, \"name\": \"é\"}");
        c.Set("ünïcode", [9, 9]);
        return c;
    }

    [Fact]
    public void Round_trip_preserves_every_section_and_their_order()
    {
        using var dir = new TempFolder();
        string path = dir.File("run/ckpt.bin"); // parent folder is created
        var original = Sample();
        original.Save(path);

        var loaded = Checkpoint.Load(path);
        Assert.Equal(original.SectionNames, loaded.SectionNames);
        foreach (string name in original.SectionNames)
            Assert.Equal(original.Get(name), loaded.Get(name));
        Assert.Equal([1.5f, -2f, float.Epsilon, 3e38f], loaded.GetFloats(CheckpointSections.Model));
        Assert.Equal("{\"step\": 12, \"name\": \"é\"}", loaded.GetText(CheckpointSections.MetaJson));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));
    }

    [Fact]
    public void Random_checkpoints_round_trip()
    {
        using var dir = new TempFolder();
        string path = dir.File("random");
        for (int seed = 0; seed < 100; seed++)
        {
            var random = new Random(seed);
            var original = new Checkpoint();
            int sections = random.Next(0, 6);
            for (int s = 0; s < sections; s++)
            {
                var data = new byte[random.Next(0, 3) == 0 ? 0 : random.Next(1, 5000)];
                random.NextBytes(data);
                original.Set($"section-{s}-{random.Next()}", data);
            }
            original.Save(path);
            var loaded = Checkpoint.Load(path);
            Assert.Equal(original.SectionNames, loaded.SectionNames);
            foreach (string name in original.SectionNames)
                Assert.Equal(original.Get(name), loaded.Get(name));
        }
    }

    [Fact]
    public void Layout_starts_with_the_documented_header()
    {
        using var dir = new TempFolder();
        string path = dir.File("c");
        Sample().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal("FOCUSCKP"u8.ToArray(), bytes[..8]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal((ulong)bytes.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal("FOCUSEND"u8.ToArray(), bytes[^8..]);
        Assert.Equal(Crc32.Compute(bytes.AsSpan(0, bytes.Length - 12)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 12)));
    }

    [Fact]
    public void Every_truncation_length_is_detected()
    {
        using var dir = new TempFolder();
        string good = dir.File("good");
        Sample().Save(good);
        byte[] bytes = File.ReadAllBytes(good);
        string path = dir.File("cut");
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void Every_flipped_byte_is_detected()
    {
        using var dir = new TempFolder();
        string good = dir.File("good");
        Sample().Save(good);
        byte[] bytes = File.ReadAllBytes(good);
        string path = dir.File("flipped");
        for (int pos = 0; pos < bytes.Length; pos++)
            foreach (byte mask in new byte[] { 0x01, 0x80 })
            {
                byte[] bad = (byte[])bytes.Clone();
                bad[pos] ^= mask;
                File.WriteAllBytes(path, bad);
                var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path));
                Assert.Contains(path, e.Message);
            }
    }

    [Fact]
    public void A_flipped_payload_byte_is_reported_as_a_checksum_mismatch()
    {
        using var dir = new TempFolder();
        string path = dir.File("c");
        Sample().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 20] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path));
        Assert.Contains("is corrupt: CRC-32 of the contents is", e.Message);
    }

    [Fact]
    public void Other_version_is_reported_as_such()
    {
        using var dir = new TempFolder();
        string path = dir.File("v2");
        Sample().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), Crc32.Compute(bytes.AsSpan(0, 28)));
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path));
        Assert.Contains("has format version 2, but this build of FocusLab reads only version 1", e.Message);
    }

    [Fact]
    public void Duplicate_section_names_in_a_file_are_refused_even_with_a_valid_checksum()
    {
        using var dir = new TempFolder();
        string path = dir.File("dup");
        var c = new Checkpoint();
        c.Set("aa", [1]);
        c.Set("ab", [2]);
        c.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        // Rename the second section "ab" -> "aa" in the table and re-seal the checksum.
        int second = Array.FindLastIndex(bytes, bytes.Length - 12, b => b == (byte)'b');
        bytes[second] = (byte)'a';
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 12), Crc32.Compute(bytes.AsSpan(0, bytes.Length - 12)));
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path));
        Assert.Contains("section 'aa' appears twice", e.Message);
    }

    [Fact]
    public void Other_files_and_appended_data_are_refused()
    {
        using var dir = new TempFolder();
        string text = dir.File("notes.txt");
        File.WriteAllText(text, "this is not a checkpoint at all");
        Assert.Contains("is not a FocusLab checkpoint", Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(text)).Message);

        string path = dir.File("c");
        Sample().Save(path);
        File.AppendAllText(path, "junk");
        Assert.Contains("extra data at the end", Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path)).Message);

        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir.File("absent")));
    }

    [Fact]
    public void Previous_checkpoint_survives_a_write_that_fails_midway()
    {
        using var dir = new TempFolder();
        string path = dir.File("ckpt");
        Sample(scale: 1f).Save(path);
        byte[] before = File.ReadAllBytes(path);

        for (long failAfter = 0; failAfter < before.Length; failAfter += 7)
        {
            long limit = failAfter;
            var e = Assert.Throws<IOException>(() =>
                CheckpointFile.Write(path, Sample(scale: 2f), s => new FailingStream(s, limit)));
            Assert.Equal("simulated disk failure", e.Message);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(1.5f, Checkpoint.Load(path).GetFloats(CheckpointSections.Model)[0]);
            Assert.Equal(["ckpt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        }

        // A stale temp file from a crashed process does not disturb reading or the next save.
        File.WriteAllBytes(path + ".tmp-1-deadbeef", before[..10]);
        Sample(scale: 2f).Save(path);
        Assert.Equal(3f, Checkpoint.Load(path).GetFloats(CheckpointSections.Model)[0]);
    }

    [Fact]
    public void Section_access_and_names_are_validated()
    {
        var c = Sample();
        var e = Assert.Throws<KeyNotFoundException>(() => c.Get("missing"));
        Assert.Contains("model, optimizer, sampler, rng, meta-json, ünïcode", e.Message);
        Assert.False(c.TryGet("missing", out _));
        Assert.True(c.TryGet("rng", out byte[] rng));
        Assert.Equal([42], rng);
        Assert.Throws<ArgumentException>(() => c.Set("", [1]));
        Assert.Throws<ArgumentException>(() => c.Set(new string('x', 256), [1]));
        c.Set("rng", [7]); // replacing keeps the position
        Assert.Equal(6, c.SectionNames.Count);
        Assert.Equal([7], c.Get("rng"));
        Assert.Throws<InvalidDataException>(() => c.GetFloats("optimizer")); // 5 bytes
    }

    /// <summary>Passes writes through until <c>limit</c> bytes, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit)
            {
                int allowed = (int)(limit - _written);
                inner.Write(buffer[..allowed]);
                _written = limit;
                throw new IOException("simulated disk failure");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }
}
