namespace FocusLab.Optim.Schedules;

/// <summary>A learning-rate multiplier f(t) ∈ [0, 1] of each group's peak lr, for step t = 1, 2, ...</summary>
public interface ILearningRateSchedule
{
    double Factor(long step);
}
