namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// adam_mini is blockwise adam over Adam-mini's partition (Zhang et al. 2024): one block per row of a
/// matrix unless the model groups rows (attention heads), one per vector. It must equal blockwise adam
/// over the same blocks given by hand, bit for bit, and keep only the first moment plus one second
/// moment per block.
/// </summary>
public sealed class AdamMiniProperties
{
    [Fact]
    public void Default_blocks_are_rows_of_matrices_and_whole_vectors()
    {
        var a = new TestModel(7, [("w", [6, 10], 0), ("b", [13], 0)]);
        var b = a.Copy();
        var mini = OptimizerFactory.Create("adam_mini:lr=1e-2,weight_decay=0.1", a.Groups());
        var byHand = new BlockwiseAdam(b.Groups(), new Dictionary<string, string> { ["lr"] = "1e-2", ["weight_decay"] = "0.1" }, BlockPartition.PerRow);
        a.Run(mini, 0, 5); b.Run(byHand, 0, 5);
        TestModel.AssertBitIdentical(b.Values(), a.Values(), "adam_mini vs per-row blockwise adam");
        Assert.Equal(4 * (60 + 13) + 8 * (6 + 1), mini.StateBytes);
    }

    [Fact]
    public void Row_blocks_from_the_model_group_rows_like_attention_heads()
    {
        // A fused q/k/v projection of width 4 with 2 heads: q rows {0,1},{2,3}; k rows {4,5},{6,7}; v rows one each.
        int[] rowBlocks = [0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7];
        var r = new TestRandom(1);
        var data = r.NormalArray(48);
        var mini = new Parameter("attn", [12, 4], (float[])data.Clone(), new float[48]) { RowBlocks = rowBlocks };
        var hand = new Parameter("attn", [12, 4], (float[])data.Clone(), new float[48]);
        var a = OptimizerFactory.Create("adam_mini:lr=1e-2", [mini]);
        var perCoordinate = Enumerable.Range(0, 48).Select(i => rowBlocks[i / 4]).ToArray();
        var b = new BlockwiseAdam([new ParameterGroupSpec([hand])], new Dictionary<string, string> { ["lr"] = "1e-2", ["weight_decay"] = "0.1" }, BlockPartition.Custom("heads", _ => perCoordinate));
        for (int t = 1; t <= 4; t++)
        {
            var g = new TestRandom(t).NormalArray(48);
            g.CopyTo(mini.GradSpan); g.CopyTo(hand.GradSpan);
            a.Step(); b.Step();
        }
        TestModel.AssertBitIdentical([hand.DataSpan.ToArray()], [mini.DataSpan.ToArray()], "adam_mini with head blocks vs a custom partition");
        Assert.Equal(4 * 48 + 8 * 8, a.StateBytes);
        Assert.True(a.StateBytesPerParameter < OptimizerFactory.Create("adamw", [new Parameter("x", 12, 4)]).StateBytesPerParameter * 0.7);
    }

    [Fact]
    public void Row_blocks_must_match_the_rows()
    {
        var e = Assert.Throws<ArgumentException>(() => new Parameter("w", 3, 4) { RowBlocks = [0, 1] });
        Assert.Contains("one per row", e.Message);
    }
}
