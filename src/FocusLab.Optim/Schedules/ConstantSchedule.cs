namespace FocusLab.Optim.Schedules;

/// <summary>f(t) = 1.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>The one instance (the schedule has no settings).</summary>
    public static readonly ConstantSchedule Instance = new();
    /// <summary>Always 1: every step uses the peak learning rate.</summary>
    public double Factor(long step) => 1;
    /// <summary>The spec that parses back to this schedule: <c>constant</c>.</summary>
    public override string ToString() => "constant";
}
