namespace FocusLab.Optim.Tests.State;

/// <summary>
/// A run stopped after step 5, saved, loaded into a fresh optimizer over fresh copies of the step-5
/// parameters and continued to step 10 ends bit-identical to an uninterrupted 10-step run, for every
/// factory id (step counts, moments, averages, per-group hyperparameters all travel in the file).
/// </summary>
public sealed class StateRoundTripTests
{
    [Theory]
    [MemberData(nameof(StateSpecs.AllIds), MemberType = typeof(StateSpecs))]
    public void Resumed_run_is_bit_identical_to_uninterrupted_run(string id)
    {
        string spec = StateSpecs.For(id);
        var wd = new[] { new (string, object)[] { ("weight_decay", 0.05) }, [("weight_decay", 0.0)] };

        var full = new TestModel(42, TestModel.SmallLayout);
        var interrupted = full.Copy();

        var reference = OptimizerFactory.Create(spec, full.Groups(wd));
        full.Run(reference, 0, 10, StateSpecs.Lr);

        var first = OptimizerFactory.Create(spec, interrupted.Groups(wd));
        interrupted.Run(first, 0, 5, StateSpecs.Lr);
        var saved = new MemoryStream();
        first.SaveState(saved);

        var resumed = interrupted.Copy(); // fresh parameter objects holding the step-5 values
        var second = OptimizerFactory.Create(spec, resumed.Groups(wd));
        saved.Position = 0;
        second.LoadState(saved);
        Assert.Equal(5, second.StepCount);
        resumed.Run(second, 5, 10, StateSpecs.Lr);

        Assert.Equal(10, second.StepCount);
        TestModel.AssertBitIdentical(full.Values(), resumed.Values(), $"{spec} resumed at step 5");
    }

    /// <summary>Hyperparameters changed between steps (here lr and weight decay of group 1) are restored by a load.</summary>
    [Fact]
    public void Group_hyperparameters_are_restored()
    {
        var model = new TestModel(1, TestModel.SmallLayout);
        var a = OptimizerFactory.Create("adamw:lr=1e-3", model.Groups());
        a.Groups[1].Lr = 0.123;
        a.Groups[1].Set("weight_decay", 0.456);
        var ms = new MemoryStream();
        a.SaveState(ms);
        var b = OptimizerFactory.Create("adamw:lr=1e-3", model.Copy().Groups());
        ms.Position = 0;
        b.LoadState(ms);
        Assert.Equal(1e-3, b.Groups[0].Lr);
        Assert.Equal(0.123, b.Groups[1].Lr);
        Assert.Equal(0.456, b.Groups[1].Get("weight_decay"));
    }
}
