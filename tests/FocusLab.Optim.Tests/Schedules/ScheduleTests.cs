using FocusLab.Optim;
using FocusLab.Optim.Schedules;

namespace FocusLab.Optim.Tests.Schedules;

public class ScheduleTests
{
    [Fact]
    public void Constant_is_one_at_every_step()
    {
        foreach (long t in new long[] { 0, 1, 2, 1000, long.MaxValue }) Assert.Equal(1.0, ConstantSchedule.Instance.Factor(t));
    }

    [Fact]
    public void Warmup_rises_linearly_and_reaches_the_peak_exactly_where_it_ends()
    {
        var s = new WarmupCosineSchedule(warmupSteps: 2000, totalSteps: 10000, floor: 0.05);
        Assert.Equal(1.0 / 2000, s.Factor(1), 15);
        Assert.Equal(0.5, s.Factor(1000), 15);
        Assert.Equal(1.0, s.Factor(2000), 15);          // the step where warm-up ends is the peak
        Assert.True(s.Factor(2001) < 1.0 && s.Factor(2001) > 0.9999);
    }

    [Fact]
    public void Cosine_reaches_the_floor_at_the_last_step_and_stays_flat_after()
    {
        var s = new WarmupCosineSchedule(2000, 10000, 0.05);
        Assert.Equal(0.05, s.Factor(10000), 15);
        Assert.Equal(0.05, s.Factor(10001), 15);
        Assert.Equal(0.05, s.Factor(50000), 15);
        // Halfway through the decay the cosine is at the midpoint between peak and floor.
        Assert.Equal(0.05 + 0.95 * 0.5, s.Factor(6000), 12);
    }

    [Fact]
    public void Zero_warmup_starts_at_the_peak_and_floor_zero_decays_to_zero()
    {
        var s = new WarmupCosineSchedule(0, 100, 0);
        Assert.Equal(1.0, s.Factor(0), 15);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI / 100)), s.Factor(1), 15);
        Assert.Equal(0.0, s.Factor(100), 15);
        Assert.Equal(0.0, s.Factor(101), 15);
        for (long t = 1; t < 100; t++) Assert.True(s.Factor(t + 1) <= s.Factor(t));
    }

    [Fact]
    public void Warmup_equal_to_total_holds_the_peak_then_drops_to_the_floor()
    {
        var s = new WarmupCosineSchedule(10, 10, 0.1);
        Assert.Equal(1.0, s.Factor(10), 15);
        Assert.Equal(0.1, s.Factor(11), 15);
    }

    [Theory]
    [InlineData(-1, 10, 0.0, "warmup")]
    [InlineData(20, 10, 0.0, "total")]
    [InlineData(0, 10, 1.5, "floor")]
    public void Invalid_settings_are_refused_with_the_name(long warmup, long total, double floor, string word)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new WarmupCosineSchedule(warmup, total, floor));
        Assert.Contains(word, e.Message);
    }

    [Fact]
    public void Parse_reads_specs_and_refuses_unknown_ones()
    {
        var s = Assert.IsType<WarmupCosineSchedule>(Schedule.Parse("cosine:warmup=5,floor=0.05", 50));
        Assert.Equal((5, 50, 0.05), (s.WarmupSteps, s.TotalSteps, s.Floor));
        Assert.IsType<ConstantSchedule>(Schedule.Parse("constant", 50));
        Assert.Contains("Unknown schedule", Assert.Throws<ArgumentException>(() => Schedule.Parse("linear", 5)).Message);
        Assert.Contains("warmup and floor", Assert.Throws<ArgumentException>(() => Schedule.Parse("cosine:peak=3", 5)).Message);
    }

    [Fact]
    public void Scheduler_scales_each_group_from_its_own_peak_before_each_step()
    {
        var a = new Parameter("a", 4); var b = new Parameter("b", 4);
        var opt = OptimizerFactory.Create("signum:lr=0.1", new[]
        {
            new ParameterGroupSpec([a]),
            new ParameterGroupSpec([b], new Dictionary<string, string> { ["lr"] = "0.01" }),
        });
        var sched = new LearningRateScheduler(opt, new WarmupCosineSchedule(4, 8, 0));
        var seen = new List<(double, double)>();
        for (int t = 1; t <= 9; t++)
        {
            sched.Apply();
            seen.Add((opt.Groups[0].Lr, opt.Groups[1].Lr));
            opt.Step();
        }
        Assert.Equal(0.025, seen[0].Item1, 15);
        Assert.Equal(0.0025, seen[0].Item2, 15);
        Assert.Equal(0.1, seen[3].Item1, 15);   // t = 4: end of warm-up
        Assert.Equal(0.0, seen[7].Item1, 15);   // t = 8: last step, floor 0
        Assert.Equal(0.0, seen[8].Item2, 15);   // after the last step: flat
    }
}
