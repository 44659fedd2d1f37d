namespace FocusLab.Optim.Schedules;

/// <summary>
/// Drives an optimizer's learning rates: before step t, every group's lr is set to its peak (the lr it
/// had when the scheduler was made) times f(t). Call <see cref="Apply"/> before each Step().
/// </summary>
public sealed class LearningRateScheduler
{
    private readonly Optimizer _optimizer;
    private readonly double[] _peak;

    /// <summary>Takes each group's current lr as its peak; from then on <see cref="Apply"/> owns the groups' learning rates.</summary>
    /// <param name="optimizer">The optimizer whose groups' lr are driven.</param>
    /// <param name="schedule">The multiplier f(t) of the peak lr.</param>
    public LearningRateScheduler(Optimizer optimizer, ILearningRateSchedule schedule)
    {
        _optimizer = optimizer;
        Schedule = schedule;
        _peak = optimizer.Groups.Select(g => g.Lr).ToArray();
    }

    /// <summary>The schedule f(t) applied to every group's peak lr.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>Sets the learning rates for the next step (t = StepCount + 1) and returns group 0's.</summary>
    public double Apply()
    {
        double f = Schedule.Factor(_optimizer.StepCount + 1);
        for (int i = 0; i < _peak.Length; i++) _optimizer.Groups[i].Lr = _peak[i] * f;
        return _optimizer.Groups[0].Lr;
    }
}
