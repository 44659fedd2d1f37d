namespace FocusLab.Optim.Schedules;

/// <summary>A learning-rate multiplier f(t) ∈ [0, 1] of each group's peak lr, for step t = 1, 2, ...</summary>
public interface ILearningRateSchedule
{
    /// <summary>The multiplier of the peak learning rate for step <paramref name="step"/> (1-based: the step about to run).</summary>
    double Factor(long step);
}
