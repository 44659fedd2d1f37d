namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Per-run records of a sweep or of one shard of it: final loss (+∞ when the run diverged), minimum
/// loss along the run and maximum progress u along the valley. Arrays are indexed
/// [(o·nLr + l)·Count + (p − Start)] for the point-replicates p ∈ [Start, Start + Count).
/// </summary>
public sealed class SweepResult
{
    public SweepResult(SweepGrid grid, int shardIndex, int shardCount, long start, long count,
        float[] finalLoss, float[] minLoss, float[] maxU)
    {
        long n = (long)grid.NOpt * grid.NLr * count;
        if (finalLoss.LongLength != n || minLoss.LongLength != n || maxU.LongLength != n)
            throw new ArgumentException($"result arrays must hold {n} runs");
        Grid = grid; ShardIndex = shardIndex; ShardCount = shardCount; Start = start; Count = count;
        FinalLoss = finalLoss; MinLoss = minLoss; MaxU = maxU;
    }

    public SweepGrid Grid { get; }
    public int ShardIndex { get; }
    public int ShardCount { get; }
    public long Start { get; }
    public long Count { get; }
    public float[] FinalLoss { get; }
    public float[] MinLoss { get; }
    public float[] MaxU { get; }
    /// <summary>Final θ per run ([run index · Dimension + i]) when <see cref="SweepOptions.RecordFinalParameters"/> was set, else null.</summary>
    public float[]? FinalParameters { get; init; }
    public bool IsComplete => Start == 0 && Count == Grid.PointReplicates;
    public long Runs => FinalLoss.LongLength;
    public double Steps => (double)Runs * Grid.Steps;

    /// <summary>Runs whose final loss is not finite (scored +∞).</summary>
    public long DivergedRuns => FinalLoss.LongCount(float.IsPositiveInfinity);

    public long Index(int opt, int lr, int y, int x, int rep) =>
        ((long)opt * Grid.NLr + lr) * Count + (((long)y * Grid.NX + x) * Grid.Replicates + rep - Start);
}
