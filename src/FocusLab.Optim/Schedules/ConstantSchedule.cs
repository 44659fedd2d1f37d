namespace FocusLab.Optim.Schedules;

/// <summary>f(t) = 1.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    public static readonly ConstantSchedule Instance = new();
    public double Factor(long step) => 1;
    public override string ToString() => "constant";
}
