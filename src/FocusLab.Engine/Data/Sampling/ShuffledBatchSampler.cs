namespace FocusLab.Engine.Data.Sampling;

/// <summary>
/// Deterministic mini-batches of sample indices for a classification dataset: each epoch is a fresh
/// uniformly random permutation of 0..Count-1 (Fisher–Yates driven by <see cref="Xoshiro256StarStar"/>),
/// cut into consecutive batches of <see cref="BatchSize"/>. The incomplete tail of an epoch
/// (Count mod BatchSize samples) is dropped, so every batch has exactly BatchSize samples and each
/// sample appears at most once per epoch.
/// <para>Epoch e's permutation is drawn from the generator state left by epoch e-1's shuffle
/// (epoch 0 from the seed), so the whole stream depends only on (Count, BatchSize, seed), and
/// <see cref="State"/>/<see cref="Restore"/> resume it exactly. Nothing is allocated per batch.</para>
/// </summary>
public sealed class ShuffledBatchSampler
{
    private readonly int[] _permutation;
    private readonly Xoshiro256StarStar _rng;
    private Xoshiro256State _epochStartRng;
    private long _epoch;
    private int _index;

    /// <summary>A sampler over <paramref name="count"/> samples, reshuffled each epoch from <paramref name="seed"/>.</summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="batchSize">Samples per batch (at most <paramref name="count"/>).</param>
    /// <param name="seed">Seed of the shuffles.</param>
    public ShuffledBatchSampler(int count, int batchSize, ulong seed)
    {
        Validate(count, batchSize);
        Count = count;
        BatchSize = batchSize;
        _permutation = new int[count];
        _rng = new Xoshiro256StarStar(seed);
        StartEpoch(0);
    }

    /// <summary>Creates a sampler positioned at a saved state.</summary>
    public ShuffledBatchSampler(ShuffledBatchSamplerState state)
    {
        Validate(state.Count, state.BatchSize);
        Count = state.Count;
        BatchSize = state.BatchSize;
        _permutation = new int[Count];
        _rng = new Xoshiro256StarStar(state.EpochStartRng);
        Restore(state);
    }

    /// <summary>Number of samples being shuffled.</summary>
    public int Count { get; }
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }
    /// <summary>Full batches per epoch: floor(Count / BatchSize).</summary>
    public int BatchesPerEpoch => Count / BatchSize;
    /// <summary>Epoch of the next batch that is not yet started, or of the current one (from 0).</summary>
    public long Epoch => _epoch;

    /// <summary>The current position; pass to <see cref="Restore"/> or the constructor to resume.</summary>
    public ShuffledBatchSamplerState State => new(Count, BatchSize, _epoch, _index, _epochStartRng);

    /// <summary>Moves to a saved position.</summary>
    /// <exception cref="ArgumentException">The state belongs to a different dataset size or batch size, or is invalid.</exception>
    public void Restore(ShuffledBatchSamplerState state)
    {
        if (state.Count != Count || state.BatchSize != BatchSize)
            throw new ArgumentException(
                $"Sampler state is for {state.Count} samples in batches of {state.BatchSize}, but this sampler has " +
                $"{Count} samples in batches of {BatchSize}; resume with the same dataset and batch size.");
        if (state.Epoch < 0 || state.Index < 0 || state.Index > Count)
            throw new ArgumentException($"Sampler state has an invalid position (epoch {state.Epoch}, index {state.Index}).");
        _rng.State = state.EpochStartRng;
        StartEpoch(state.Epoch);
        _index = state.Index;
    }

    /// <summary>Writes the next batch's sample indices into <paramref name="indices"/> (length BatchSize).</summary>
    public void NextBatch(Span<int> indices)
    {
        if (indices.Length != BatchSize)
            throw new ArgumentException($"indices must have length {BatchSize}, got {indices.Length}.", nameof(indices));
        if (_index + BatchSize > Count)
            StartEpoch(_epoch + 1);
        _permutation.AsSpan(_index, BatchSize).CopyTo(indices);
        _index += BatchSize;
    }

    /// <summary>Allocating convenience form of <see cref="NextBatch(Span{int})"/>.</summary>
    public int[] NextBatch()
    {
        var indices = new int[BatchSize];
        NextBatch(indices);
        return indices;
    }

    private void StartEpoch(long epoch)
    {
        _epochStartRng = _rng.State;
        // The permutation is rebuilt from the identity so that it depends only on the RNG state.
        for (int i = 0; i < _permutation.Length; i++) _permutation[i] = i;
        _rng.Shuffle(_permutation);
        _epoch = epoch;
        _index = 0;
    }

    private static void Validate(int count, int batchSize)
    {
        if (count <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), $"Dataset must have at least one sample; got {count}.");
        if (batchSize <= 0 || batchSize > count)
            throw new ArgumentOutOfRangeException(nameof(batchSize),
                $"Batch size must be between 1 and the dataset size {count}; got {batchSize}.");
    }
}
