using FocusLab.Engine.Data.Sampling;

namespace FocusLab.Engine.Data.Text;

/// <summary>
/// Random language-model training batches, nanoGPT style: each of the B rows starts at an offset
/// s drawn uniformly from 0..L−T−1 (L tokens, T = block size); inputs are tokens[s .. s+T) and
/// targets tokens[s+1 .. s+T+1) (the next token at each position). Offsets come from
/// <see cref="Xoshiro256StarStar"/> (unbiased bounded draws), row by row, so the batch stream
/// depends only on (L, B, T, seed) and <see cref="State"/>/<see cref="Restore"/> resume it exactly.
/// Nothing is allocated per batch.
/// </summary>
public sealed class TextBatchSampler
{
    private readonly ReadOnlyMemory<byte> _tokens;
    private readonly Xoshiro256StarStar _rng;
    private long _batchesDrawn;

    /// <param name="tokens">Token stream, e.g. <see cref="TextCorpus.Train"/>.</param>
    /// <param name="batchSize">B, windows per batch.</param>
    /// <param name="blockSize">T, tokens per window (the targets are the same window shifted by one token).</param>
    /// <param name="seed">Seed of the window positions.</param>
    public TextBatchSampler(ReadOnlyMemory<byte> tokens, int batchSize, int blockSize, ulong seed)
    {
        TextWindows.Validate(tokens.Length, batchSize, blockSize, "token stream", "Use a larger corpus or a smaller block size.");
        _tokens = tokens;
        BatchSize = batchSize;
        BlockSize = blockSize;
        _rng = new Xoshiro256StarStar(seed);
    }

    /// <summary>B, windows per batch.</summary>
    public int BatchSize { get; }
    /// <summary>T, tokens per window.</summary>
    public int BlockSize { get; }
    /// <summary>Batches handed out since the seed (for logging; restored with the state).</summary>
    public long BatchesDrawn => _batchesDrawn;

    /// <summary>Everything needed to resume the batch stream exactly (saved in checkpoints; see <see cref="Restore"/>).</summary>
    public TextSamplerState State => new(_tokens.Length, BatchSize, BlockSize, _batchesDrawn, _rng.State);

    /// <exception cref="ArgumentException">The state was saved for a different corpus length, batch or block size.</exception>
    public void Restore(TextSamplerState state)
    {
        if (state.TokenCount != _tokens.Length || state.BatchSize != BatchSize || state.BlockSize != BlockSize)
            throw new ArgumentException(
                $"Text sampler state is for {state.TokenCount} tokens, batch {state.BatchSize}, block {state.BlockSize}, " +
                $"but this sampler has {_tokens.Length} tokens, batch {BatchSize}, block {BlockSize}; " +
                "resume with the same corpus, split and sizes.");
        if (state.BatchesDrawn < 0)
            throw new ArgumentException($"Text sampler state has a negative batch count {state.BatchesDrawn}.");
        _rng.State = state.Rng;
        _batchesDrawn = state.BatchesDrawn;
    }

    /// <summary>
    /// Fills the next batch. Both spans have length B×T, row-major (row b, position t at b×T + t).
    /// </summary>
    public void NextBatch(Span<int> inputs, Span<int> targets)
    {
        int size = BatchSize * BlockSize;
        if (inputs.Length != size || targets.Length != size)
            throw new ArgumentException($"inputs and targets must have length {BatchSize}×{BlockSize} = {size}; " +
                                        $"got {inputs.Length} and {targets.Length}.");
        ReadOnlySpan<byte> tokens = _tokens.Span;
        ulong startCount = (ulong)(tokens.Length - BlockSize); // offsets 0 .. L−T−1
        for (int b = 0; b < BatchSize; b++)
        {
            int start = (int)_rng.NextBelow(startCount);
            var window = tokens.Slice(start, BlockSize + 1);
            var x = inputs.Slice(b * BlockSize, BlockSize);
            var y = targets.Slice(b * BlockSize, BlockSize);
            for (int t = 0; t < BlockSize; t++)
            {
                x[t] = window[t];
                y[t] = window[t + 1];
            }
        }
        _batchesDrawn++;
    }
}
