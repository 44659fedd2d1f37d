namespace FocusLab.Engine.Data.Text;

/// <summary>
/// Sequential evaluation batches over a token stream: window w covers inputs tokens[wT .. wT+T) and
/// targets tokens[wT+1 .. wT+T+1), for w = 0 .. W−1 with W = floor((L−1)/T), so every token except
/// the first is predicted exactly once (the last L−1−WT tokens, fewer than T, are not used).
/// Windows are grouped in order into batches of B rows; the last batch may have fewer rows.
/// </summary>
public sealed class TextValidationBatches
{
    private readonly ReadOnlyMemory<byte> _tokens;

    /// <summary>The fixed evaluation windows of a validation stream: consecutive, non-overlapping T-token windows, B per batch (the last batch may be short).</summary>
    /// <param name="tokens">The validation token stream, e.g. <see cref="TextCorpus.Validation"/>.</param>
    /// <param name="batchSize">B, windows per batch.</param>
    /// <param name="blockSize">T, tokens per window.</param>
    public TextValidationBatches(ReadOnlyMemory<byte> tokens, int batchSize, int blockSize)
    {
        TextWindows.Validate(tokens.Length, batchSize, blockSize, "validation stream", "Use a larger validation fraction or a smaller block size.");
        _tokens = tokens;
        BatchSize = batchSize;
        BlockSize = blockSize;
        WindowCount = (tokens.Length - 1) / blockSize;
        BatchCount = (WindowCount + batchSize - 1) / batchSize;
    }

    /// <summary>B, windows per batch.</summary>
    public int BatchSize { get; }
    /// <summary>T, tokens per window.</summary>
    public int BlockSize { get; }
    /// <summary>Number of T-token windows, floor((L−1)/T).</summary>
    public int WindowCount { get; }
    /// <summary>Number of batches, ceil(WindowCount / B).</summary>
    public int BatchCount { get; }

    /// <summary>
    /// Fills batch <paramref name="batchIndex"/> into spans of length at least rows×T and returns
    /// the number of rows (B, or fewer for the last batch). No allocation.
    /// </summary>
    public int GetBatch(int batchIndex, Span<int> inputs, Span<int> targets)
    {
        if ((uint)batchIndex >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"Batch index must be in 0..{BatchCount - 1}; got {batchIndex}.");
        int firstWindow = batchIndex * BatchSize;
        int rows = Math.Min(BatchSize, WindowCount - firstWindow);
        if (inputs.Length < rows * BlockSize || targets.Length < rows * BlockSize)
            throw new ArgumentException($"Batch {batchIndex} needs {rows * BlockSize} slots in inputs and targets.");
        ReadOnlySpan<byte> tokens = _tokens.Span;
        for (int r = 0; r < rows; r++)
        {
            int start = (firstWindow + r) * BlockSize;
            for (int t = 0; t < BlockSize; t++)
            {
                inputs[r * BlockSize + t] = tokens[start + t];
                targets[r * BlockSize + t] = tokens[start + t + 1];
            }
        }
        return rows;
    }

    /// <summary>All batches in order, each in fresh arrays (convenient, allocating); at most <paramref name="maxBatches"/>.</summary>
    public IEnumerable<TextBatch> Enumerate(int maxBatches = int.MaxValue)
    {
        int n = Math.Min(BatchCount, Math.Max(0, maxBatches));
        for (int i = 0; i < n; i++)
        {
            int rows = Math.Min(BatchSize, WindowCount - i * BatchSize);
            var x = new int[rows * BlockSize];
            var y = new int[rows * BlockSize];
            GetBatch(i, x, y);
            yield return new TextBatch(rows, BlockSize, x, y);
        }
    }
}
