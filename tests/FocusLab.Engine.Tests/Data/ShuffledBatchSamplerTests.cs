using FocusLab.Engine.Data.Sampling;

namespace FocusLab.Engine.Tests.Data;

public class ShuffledBatchSamplerTests
{
    [Fact]
    public void Epoch_permutations_match_an_independent_reference()
    {
        // Reference: Python Fisher-Yates (i from n-1 down to 1, j = Lemire bounded draw in [0, i])
        // over xoshiro256** seeded by SplitMix64(7).
        var sampler = new ShuffledBatchSampler(count: 10, batchSize: 10, seed: 7);
        Assert.Equal([1, 8, 3, 0, 4, 5, 9, 6, 2, 7], sampler.NextBatch());
        Assert.Equal([9, 3, 0, 8, 2, 7, 6, 5, 4, 1], sampler.NextBatch());
        Assert.Equal(1, sampler.Epoch);
    }

    [Fact]
    public void Each_epoch_is_a_permutation_cut_into_full_batches_with_the_tail_dropped()
    {
        var sampler = new ShuffledBatchSampler(count: 103, batchSize: 10, seed: 1);
        Assert.Equal(10, sampler.BatchesPerEpoch);
        var epochs = new List<int[]>();
        for (int e = 0; e < 3; e++)
        {
            var seen = new List<int>();
            for (int b = 0; b < sampler.BatchesPerEpoch; b++)
            {
                seen.AddRange(sampler.NextBatch());
                Assert.Equal(e, sampler.Epoch);
            }
            Assert.Equal(100, seen.Distinct().Count());
            Assert.All(seen, i => Assert.InRange(i, 0, 102));
            epochs.Add(seen.ToArray());
        }
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.NotEqual(epochs[1], epochs[2]);
    }

    [Fact]
    public void Same_seed_same_batches_different_seed_different_batches()
    {
        var a = new ShuffledBatchSampler(50, 8, seed: 11);
        var b = new ShuffledBatchSampler(50, 8, seed: 11);
        var c = new ShuffledBatchSampler(50, 8, seed: 12);
        bool anyDifferent = false;
        for (int i = 0; i < 20; i++)
        {
            int[] x = a.NextBatch();
            Assert.Equal(x, b.NextBatch());
            anyDifferent |= !x.SequenceEqual(c.NextBatch());
        }
        Assert.True(anyDifferent);
    }

    [Fact]
    public void Resuming_from_serialised_state_gives_exactly_the_same_batches_at_every_position()
    {
        const int count = 23, batch = 5, horizon = 30; // 4 batches per epoch, tail of 3 dropped
        var reference = new ShuffledBatchSampler(count, batch, seed: 2024);
        var expected = Enumerable.Range(0, horizon).Select(_ => reference.NextBatch()).ToArray();

        for (int k = 0; k < 12; k++)
        {
            var original = new ShuffledBatchSampler(count, batch, seed: 2024);
            for (int i = 0; i < k; i++) original.NextBatch();
            byte[] saved = original.State.ToBytes();

            var resumed = new ShuffledBatchSampler(ShuffledBatchSamplerState.FromBytes(saved));
            var restoredInPlace = new ShuffledBatchSampler(count, batch, seed: 999);
            restoredInPlace.Restore(ShuffledBatchSamplerState.FromBytes(saved));
            var buffer = new int[batch];
            for (int i = k; i < horizon; i++)
            {
                resumed.NextBatch(buffer);
                Assert.Equal(expected[i], buffer);
                Assert.Equal(expected[i], restoredInPlace.NextBatch());
            }
        }
    }

    [Fact]
    public void State_for_a_different_dataset_or_batch_size_is_refused()
    {
        var state = new ShuffledBatchSampler(100, 10, 1).State;
        var e = Assert.Throws<ArgumentException>(() => new ShuffledBatchSampler(101, 10, 1).Restore(state));
        Assert.Contains("same dataset and batch size", e.Message);
        Assert.Throws<ArgumentException>(() => new ShuffledBatchSampler(100, 20, 1).Restore(state));
        Assert.Throws<ArgumentException>(() => new ShuffledBatchSampler(100, 10, 1).Restore(state with { Index = 101 }));
    }

    [Fact]
    public void Corrupt_state_bytes_are_refused()
    {
        byte[] good = new ShuffledBatchSampler(10, 2, 1).State.ToBytes();
        Assert.Throws<InvalidDataException>(() => ShuffledBatchSamplerState.FromBytes(good[..^1]));
        byte[] badTag = (byte[])good.Clone(); badTag[0] = (byte)'X';
        Assert.Throws<InvalidDataException>(() => ShuffledBatchSamplerState.FromBytes(badTag));
        byte[] badVersion = (byte[])good.Clone(); badVersion[4] = 2;
        var e = Assert.Throws<InvalidDataException>(() => ShuffledBatchSamplerState.FromBytes(badVersion));
        Assert.Contains("version 2", e.Message);
    }

    [Fact]
    public void Invalid_sizes_are_refused_up_front()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffledBatchSampler(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffledBatchSampler(10, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffledBatchSampler(10, 11, 1));
        Assert.Throws<ArgumentException>(() => new ShuffledBatchSampler(10, 5, 1).NextBatch(new int[4]));
    }
}
