namespace FocusLab.Engine.Kernels;

/// <summary>
/// Splits row-wise work over cores in chunks whose size depends only on the work, never on the
/// number of threads, so results are identical for any thread count.
/// </summary>
public static class Parallelism
{
    /// <summary>
    /// Units of work (about one addition each, 0.1–0.3 ns) per parallel chunk; loops with less than
    /// twice this stay on the calling thread. A hand-off to another core costs microseconds when its
    /// worker is spinning and up to a scheduler time slice (milliseconds) when the machine is busy,
    /// so a chunk should be worth tens of microseconds: kernels pass their work per row in these units.
    /// </summary>
    public const int MinimumParallelWork = 1 << 18;

    /// <summary>
    /// Upper bound on worker threads for every engine kernel (and the managed GEMM); -1 means all
    /// cores. Results are identical for every value: it only changes how fast they arrive.
    /// </summary>
    public static int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>body(0..count-1) over the cores (<see cref="ForkJoin"/>); each index must write its own outputs.</summary>
    internal static void For(int count, Action<int> body) => ForkJoin.Shared.For(count, MaxDegreeOfParallelism, body);

    /// <summary>Calls <paramref name="body"/>(start, end) over [0, rows) in fixed chunks.</summary>
    public static void ForRows(int rows, int workPerRow, Action<int, int> body)
    {
        if (rows <= 0) return;
        long total = (long)rows * Math.Max(1, workPerRow);
        if (total < 2 * MinimumParallelWork || rows == 1)
        {
            body(0, rows);
            return;
        }
        int rowsPerChunk = (int)Math.Max(1, MinimumParallelWork / Math.Max(1, workPerRow));
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        For(chunks, c => body(c * rowsPerChunk, Math.Min(rows, (c + 1) * rowsPerChunk)));
    }
}
