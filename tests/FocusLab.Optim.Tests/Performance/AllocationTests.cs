namespace FocusLab.Optim.Tests.Performance;

/// <summary>
/// A warmed-up Step() allocates nothing on the calling thread, for every factory id, single-threaded and
/// with the default thread count, on parameters large enough to span several work chunks.
/// </summary>
public sealed class AllocationTests
{
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var id in OptimizerFactory.Ids) { data.Add(id, true); data.Add(id, false); }
        return data;
    }

    /// <summary>
    /// Fewest bytes allocated on this thread by 3 calls, over 5 rounds. A per-step allocation shows in
    /// every round; a one-off allocation of the runtime (tiered JIT promotion) shows in one at most.
    /// </summary>
    internal static long MinimumAllocated(Action step)
    {
        long min = long.MaxValue;
        for (int round = 0; round < 5 && min > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++) step();
            min = Math.Min(min, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return min;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Warmed_up_step_allocates_nothing(string id, bool singleThreaded)
    {
        // 100 000 floats = 4 chunks of the kernel split; a [250, 400] matrix exercises Adafactor's factored path.
        var model = new TestModel(1, [("w", [250, 400], 0), ("v", [100_000], 0), ("b", [37], 1)]);
        var opt = OptimizerFactory.Create(State.StateSpecs.For(id), model.Groups());
        if (singleThreaded) opt.Threads = 1;
        Assert.True(opt.Threads >= 1);
        model.SetGradients(1);
        for (int i = 0; i < 3; i++) opt.Step(); // warm-up: JIT, lazily created buffers

        long allocated = MinimumAllocated(() => opt.Step());
        Assert.True(allocated == 0, $"{id} (threads = {opt.Threads}): every round of 3 steps allocated, at least {allocated} bytes");
    }
}

/// <summary>The step-level tools used in training loops allocate nothing either once warmed up.</summary>
public sealed class ToolAllocationTests
{
    [Theory]
    [InlineData("adamw:lr=1e-3,cautious=true")]
    [InlineData("signum:lr=1e-3,update_clip=0.5")]
    [InlineData("adam:lr=1e-3,update_clip_fraction=0.5")]
    [InlineData("sgd_clip:lr=1e-2,beta1=0.9,clip_fraction=0.1")]
    public void Tracked_statistics_transforms_and_global_norm_clipping_allocate_nothing(string spec)
    {
        var model = new TestModel(2, [("w", [250, 400], 0), ("b", [37], 1)]);
        var opt = OptimizerFactory.Create(spec, model.Groups());
        opt.TrackUpdateStatistics = true;
        model.SetGradients(1);
        for (int i = 0; i < 3; i++) { GlobalNormClipping.Clip(opt.Parameters, 1.0); opt.Step(); }

        long allocated = AllocationTests.MinimumAllocated(() => { GlobalNormClipping.Clip(opt.Parameters, 1.0); opt.Step(); });
        Assert.True(allocated == 0, $"{spec}: every round of 3 steps allocated, at least {allocated} bytes");
        Assert.True(opt.LastUpdateStatistics.Count == 250 * 400 + 37);
    }
}
