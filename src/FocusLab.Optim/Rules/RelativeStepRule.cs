namespace FocusLab.Optim;

/// <summary>
/// A group-reducing rule whose learning rate may come from its group's own parameters instead of the schedule: Adafactor's
/// relative step α_t = max(ε2, RMS(θ_{t−1}))·min(1e-2, 1/√t) (Shazeer &amp; Stern 2018, Algorithms 4 and 5: α_t = max(ε2, RMS(X_{t−1}))·ρ_t; docs/equations.md#adafactor).
/// Every user sums θ² over the group before the step in double and passes the sum to <see cref="RelativeLearningRate"/>, whose
/// result (rounded to float) is the learning rate the rule receives in <see cref="IUpdateRule.BroadcastRun{TVec}"/>:
/// FocusLab.Optim per tensor, the phase sweep engine per toy run (one lane each), so the step size is written once.
/// </summary>
public interface IRelativeStepRule : IGroupReducingRule
{
    /// <summary>Whether this step's learning rate comes from the group's parameters (false: the group's lr is used).</summary>
    bool RelativeStep { get; }

    /// <summary>The learning rate from <paramref name="thetaSumOfSquares"/>, Σθ² over the group's <paramref name="count"/> coordinates before the step (in double).</summary>
    double RelativeLearningRate(double thetaSumOfSquares, long count);
}
