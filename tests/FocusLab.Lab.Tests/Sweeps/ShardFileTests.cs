using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

public sealed class ShardFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-shards-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SweepGrid Grid = PhasePresets.Build("quick", PhaseAxis.WeightDecay, ValleyKind.Valley2D) with
    {
        XValues = [0, 0.25, 0.5], SigmaValues = [0, 1.5, 3], LearningRates = [0.01, 0.1], Replicates = 3, Steps = 50, Seed = 3,
    };

    [Fact]
    public void ShardsWrittenReadAndMergedEqualTheUnshardedRun()
    {
        var whole = SweepEngine.Run(Grid, new SweepOptions { Threads = 1 });
        var paths = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var shard = SweepEngine.Run(Grid, new SweepOptions { Threads = 2, ShardIndex = i, ShardCount = 3 });
            string p = Path.Combine(_dir, ShardFile.FileName(i, 3));
            ShardFile.Write(p, shard);
            paths.Add(p);
        }
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp-*"));
        var merged = ShardFile.Merge(paths.Select(ShardFile.Read).ToList());
        Assert.True(merged.IsComplete);
        Assert.Equal(Grid.Steps, merged.Grid.Steps);
        Assert.Equal(Grid.XValues, merged.Grid.XValues);
        Assert.Equal(whole.FinalLoss, merged.FinalLoss);
        Assert.Equal(whole.MinLoss, merged.MinLoss);
        Assert.Equal(whole.MaxU, merged.MaxU);
        Assert.Contains("missing shard(s) 1", Assert.Throws<ArgumentException>(() => ShardFile.Merge([ShardFile.Read(paths[0]), ShardFile.Read(paths[2])])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => ShardFile.Merge([ShardFile.Read(paths[0]), ShardFile.Read(paths[0])])).Message);
        var other = SweepEngine.Run(Grid with { Seed = 4 }, new SweepOptions { ShardIndex = 1, ShardCount = 3 });
        Assert.Contains("different grid", Assert.Throws<ArgumentException>(() => ShardFile.Merge([ShardFile.Read(paths[0]), other, ShardFile.Read(paths[2])])).Message);
    }

    [Fact]
    public void TruncatedOrCorruptFilesAreDetected()
    {
        var shard = SweepEngine.Run(Grid, new SweepOptions { Threads = 1 });
        string p = Path.Combine(_dir, "s.bin");
        ShardFile.Write(p, shard);
        var bytes = File.ReadAllBytes(p);
        File.WriteAllBytes(p, bytes[..^20]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => ShardFile.Read(p)).Message);
        var flipped = (byte[])bytes.Clone(); flipped[^100] ^= 0x10;
        File.WriteAllBytes(p, flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => ShardFile.Read(p)).Message);
        File.WriteAllBytes(p, "not a shard"u8.ToArray());
        Assert.ThrowsAny<InvalidDataException>(() => ShardFile.Read(p));
    }
}
