using FocusLab.Engine.Data.Text;

namespace FocusLab.Engine.Tests.Data;

public class TextBatchSamplerTests
{
    // Tokens 0..L-1 (L ≤ 256) are all distinct, so a window's start is its first token.
    private static byte[] Ramp(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    [Fact]
    public void Rows_are_contiguous_windows_with_targets_shifted_by_one_covering_every_start()
    {
        const int length = 40, batch = 4, block = 8;
        var sampler = new TextBatchSampler(Ramp(length), batch, block, seed: 5);
        var x = new int[batch * block];
        var y = new int[batch * block];
        var starts = new HashSet<int>();
        for (int n = 0; n < 500; n++)
        {
            sampler.NextBatch(x, y);
            for (int b = 0; b < batch; b++)
            {
                int s = x[b * block];
                starts.Add(s);
                for (int t = 0; t < block; t++)
                {
                    Assert.Equal(s + t, x[b * block + t]);
                    Assert.Equal(s + t + 1, y[b * block + t]);
                }
            }
        }
        // Valid starts are 0 .. L-T-1 = 31, and all of them occur.
        Assert.Equal(Enumerable.Range(0, length - block), starts.Order());
        Assert.Equal(500, sampler.BatchesDrawn);
    }

    [Fact]
    public void Resuming_from_serialised_state_reproduces_the_batches()
    {
        byte[] tokens = Ramp(200);
        var original = new TextBatchSampler(tokens, 3, 16, seed: 77);
        var x = new int[48]; var y = new int[48];
        for (int i = 0; i < 7; i++) original.NextBatch(x, y);
        byte[] saved = original.State.ToBytes();

        var resumed = new TextBatchSampler(tokens, 3, 16, seed: 1);
        resumed.Restore(TextSamplerState.FromBytes(saved));
        Assert.Equal(7, resumed.BatchesDrawn);
        var x2 = new int[48]; var y2 = new int[48];
        for (int i = 0; i < 20; i++)
        {
            original.NextBatch(x, y);
            resumed.NextBatch(x2, y2);
            Assert.Equal(x, x2);
            Assert.Equal(y, y2);
        }
    }

    [Fact]
    public void State_for_another_corpus_or_size_is_refused_and_bad_bytes_detected()
    {
        var state = new TextBatchSampler(Ramp(100), 2, 8, 1).State;
        var e = Assert.Throws<ArgumentException>(() => new TextBatchSampler(Ramp(101), 2, 8, 1).Restore(state));
        Assert.Contains("same corpus", e.Message);
        Assert.Throws<ArgumentException>(() => new TextBatchSampler(Ramp(100), 2, 9, 1).Restore(state));
        Assert.Throws<InvalidDataException>(() => TextSamplerState.FromBytes(state.ToBytes()[1..]));
    }

    [Fact]
    public void Too_short_stream_and_bad_sizes_are_refused_up_front()
    {
        var e = Assert.Throws<ArgumentException>(() => new TextBatchSampler(Ramp(8), 2, 8, 1));
        Assert.Contains("needs at least 9", e.Message);
        Assert.NotNull(new TextBatchSampler(Ramp(9), 2, 8, 1)); // exactly one window
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextBatchSampler(Ramp(20), 0, 8, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextBatchSampler(Ramp(20), 2, 0, 1));
        Assert.Throws<ArgumentException>(() => new TextBatchSampler(Ramp(20), 2, 4, 1).NextBatch(new int[8], new int[7]));
    }

    [Fact]
    public void Validation_batches_walk_the_stream_in_order_predicting_each_token_once()
    {
        byte[] tokens = Ramp(50);
        var batches = new TextValidationBatches(tokens, batchSize: 4, blockSize: 8);
        Assert.Equal(6, batches.WindowCount); // floor(49 / 8)
        Assert.Equal(2, batches.BatchCount);

        var all = batches.Enumerate().ToList();
        Assert.Equal([4, 2], all.Select(b => b.Rows));
        Assert.Equal(Enumerable.Range(0, 48), all.SelectMany(b => b.Inputs));
        Assert.Equal(Enumerable.Range(1, 48), all.SelectMany(b => b.Targets));
        Assert.Single(batches.Enumerate(maxBatches: 1));

        var x = new int[32]; var y = new int[32];
        Assert.Equal(2, batches.GetBatch(1, x, y));
        Assert.Equal(Enumerable.Range(32, 16), x[..16]);
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.GetBatch(2, x, y));
    }
}
