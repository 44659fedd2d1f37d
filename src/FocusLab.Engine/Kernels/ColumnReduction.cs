using System.Numerics;
using System.Numerics.Tensors;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Sums over rows (per-column statistics, parameter gradients) split over cores deterministically:
/// rows are cut into chunks of a fixed size, each chunk fills its own partial vector, and the
/// partials are added in chunk order. The result depends on the row count only, never on threads.
/// </summary>
public static class ColumnReduction
{
    public const int RowsPerChunk = 64;

    /// <param name="rows">Rows to reduce.</param>
    /// <param name="width">Length of the reduced vector.</param>
    /// <param name="body">body(r0, r1, partial): add rows [r0, r1) into the zeroed <c>partial</c>.</param>
    /// <param name="result">Receives the total (added to its contents).</param>
    public static void Sum<T>(int rows, int width, Action<int, int, T[]> body, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
        if (chunks <= 1 || (long)rows * width < 2 * Parallelism.MinimumParallelWork)
        {
            var partial = new T[width];
            for (int k = 0; k < chunks; k++) body(k * RowsPerChunk, Math.Min(rows, (k + 1) * RowsPerChunk), partial);
            TensorPrimitives.Add(result, partial, result);
            return;
        }
        var partials = new T[chunks][];
        Parallel.For(0, chunks, Parallelism.Options, k =>
        {
            var part = new T[width];
            body(k * RowsPerChunk, Math.Min(rows, (k + 1) * RowsPerChunk), part);
            partials[k] = part;
        });
        // Fixed order: chunk 0, 1, 2, ... (the serial path above accumulates all chunks into one
        // partial instead, so the two paths differ in rounding; which one runs depends only on the size).
        var total = new T[width];
        foreach (var part in partials) TensorPrimitives.Add(total, part, total);
        TensorPrimitives.Add(result, total, result);
    }
}
