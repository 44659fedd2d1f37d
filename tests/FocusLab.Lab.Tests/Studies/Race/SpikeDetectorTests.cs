
using FocusLab.Lab.Studies.Race;

namespace FocusLab.Lab.Tests.Studies.Race;

public class SpikeDetectorTests
{
    private static long[] Steps(int n) => Enumerable.Range(1, n).Select(i => (long)i).ToArray();

    [Fact]
    public void A_jump_above_one_and_a_half_times_the_running_median_is_one_spike_with_the_updates_before_it()
    {
        // Flat loss 2.0 with small noise; steps 61-63 jump to 3.5, 4.0, 3.2 (ratios 1.75, 2.0, 1.6); step 64 back.
        var loss = Enumerable.Range(0, 100).Select(i => 2.0 + 0.01 * (i % 3)).ToArray();
        loss[60] = 3.5; loss[61] = 4.0; loss[62] = 3.2;
        var updMax = Enumerable.Range(0, 100).Select(i => (double?)1.0).ToArray();
        updMax[59] = 9.0; // a huge update right before the spike
        var updMean = Enumerable.Range(0, 100).Select(i => (double?)0.5).ToArray();

        var spikes = SpikeDetector.Find(Steps(100), loss, updMax, updMean);
        var s = Assert.Single(spikes);
        Assert.Equal(61, s.Step);
        Assert.Equal(3, s.Length);
        Assert.Equal(2.01, s.Median, 12); // median of steps 11..60: values 2.00/2.01/2.02 equally often
        Assert.Equal(4.0 / 2.01, s.PeakRatio, 12);
        Assert.Equal(9.0, s.UpdateMaxBefore);
        Assert.Equal(9.0, s.UpdateMaxAtPreviousStep);
        Assert.Equal(0.5, s.UpdateMeanBefore);
    }

    [Fact]
    public void Exactly_one_and_a_half_times_is_not_a_spike_and_a_decreasing_curve_has_none()
    {
        var flat = Enumerable.Repeat(2.0, 60).ToArray();
        flat[55] = 3.0; // = 1.5 × median, not above
        Assert.Empty(SpikeDetector.Find(Steps(60), flat));
        flat[55] = 3.0001;
        Assert.Single(SpikeDetector.Find(Steps(60), flat));
        var decreasing = Enumerable.Range(0, 300).Select(i => 5.0 * Math.Exp(-i / 50.0) + 1).ToArray();
        Assert.Empty(SpikeDetector.Find(Steps(300), decreasing));
    }

    [Fact]
    public void The_median_uses_only_the_last_50_steps_and_needs_a_minimum_history()
    {
        // 100 steps at loss 10 then 60 at loss 1: after the drop, the window holds mostly 10s until it
        // has moved past them, so a later return to 2 is a spike only against a window full of 1s.
        var loss = Enumerable.Repeat(10.0, 100).Concat(Enumerable.Repeat(1.0, 60)).Append(2.0).ToArray();
        var s = Assert.Single(SpikeDetector.Find(Steps(loss.Length), loss));
        Assert.Equal(161, s.Step);
        Assert.Equal(1.0, s.Median);
        // Spike at step 5 with only 4 earlier steps: below the minimum history of 10, ignored.
        var early = new[] { 2.0, 2, 2, 2, 9, 2, 2, 2, 2, 2, 2, 2 };
        Assert.Empty(SpikeDetector.Find(Steps(early.Length), early));
        Assert.Single(SpikeDetector.Find(Steps(early.Length), early, minHistory: 4, window: 4));
    }

    [Fact]
    public void A_non_finite_loss_ends_the_search()
    {
        var loss = Enumerable.Repeat(1.0, 30).Append(double.NaN).Append(5.0).ToArray();
        Assert.Empty(SpikeDetector.Find(Steps(loss.Length), loss));
    }

    [Fact]
    public void Steps_to_reach_and_speedup_over_adamw()
    {
        RaceRun Run(string opt, double[][] curve) => new(opt, opt, "main", 1, 1e-3, opt, 100, curve[^1][1], false, null, 10, 100, curve, [], []);
        var adam = Run("adamw", [[25, 3.0], [50, 2.5], [75, 2.2], [100, 2.0]]);
        var focus = Run("focus", [[25, 2.8], [50, 2.0], [75, 1.9], [100, 1.8]]);
        var slow = Run("signum", [[25, 3.5], [50, 3.0], [75, 2.6], [100, 2.4]]);
        var config = LmRaceConfig.Quick() with { Seeds = [1] };
        var c = LmRace.Compare(config, [adam, focus, slow]);
        Assert.Equal(100, c.Single(x => x.Optimizer == "adamw").Steps);
        Assert.Equal(1.0, c.Single(x => x.Optimizer == "adamw").Speedup);
        Assert.Equal(50, c.Single(x => x.Optimizer == "focus").Steps);
        Assert.Equal(2.0, c.Single(x => x.Optimizer == "focus").Speedup);
        Assert.Null(c.Single(x => x.Optimizer == "signum").Steps);
        Assert.Null(c.Single(x => x.Optimizer == "signum").Speedup);
    }
}
