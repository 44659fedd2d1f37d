using System.Numerics;
using System.Numerics.Tensors;

namespace FocusLab.Engine.Kernels;

/// <summary>body(r0, r1, partial): add the contributions of rows [r0, r1) into <c>partial</c> (zeroed before the first chunk it sees).</summary>
public delegate void PartialSumBody<T>(int r0, int r1, Span<T> partial);

/// <summary>
/// Sums over rows (per-column statistics, parameter gradients) split over cores deterministically:
/// rows are cut into chunks of a fixed size, each chunk fills its own partial vector, and the
/// partials are added in chunk order. The result depends on the row count only, never on threads.
/// </summary>
public static class ColumnReduction
{
    /// <summary>Keys this kernel's per-thread scratch (<see cref="ThreadScratch{TOwner, T}"/>).</summary>
    private sealed class Scratch;

    /// <summary>Rows per chunk: fixed, so the order of the additions never depends on the thread count.</summary>
    public const int RowsPerChunk = 64;

    /// <remarks>The partial vectors are per-thread scratch reused across calls (no allocation once warm),
    /// so a body must not itself call this overload.</remarks>
    /// <param name="rows">Rows to reduce.</param>
    /// <param name="width">Length of the reduced vector.</param>
    /// <param name="body">Adds rows [r0, r1) into the partial it is given.</param>
    /// <param name="result">Receives the total (added to its contents).</param>
    public static void Sum<T>(int rows, int width, PartialSumBody<T> body, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
        if (chunks <= 1 || (long)rows * width < 2 * Parallelism.MinimumParallelWork)
        {
            var partial = ThreadScratch<Scratch, T>.Get(width).AsSpan(0, width);
            partial.Clear();
            for (int k = 0; k < chunks; k++) body(k * RowsPerChunk, Math.Min(rows, (k + 1) * RowsPerChunk), partial);
            TensorPrimitives.Add(result, partial, result);
            return;
        }
        var buffer = ThreadScratch<Scratch, T>.Get(chunks * width);
        Array.Clear(buffer, 0, chunks * width);
        Parallelism.For(chunks, k =>
            body(k * RowsPerChunk, Math.Min(rows, (k + 1) * RowsPerChunk), buffer.AsSpan(k * width, width)));
        // Fixed order: chunk 0, 1, 2, ... (the serial path above accumulates all chunks into one
        // partial instead, so the two paths differ in rounding; which one runs depends only on the size).
        var total = buffer.AsSpan(0, width);
        for (int k = 1; k < chunks; k++) TensorPrimitives.Add(total, buffer.AsSpan(k * width, width), total);
        TensorPrimitives.Add(result, total, result);
    }
}
