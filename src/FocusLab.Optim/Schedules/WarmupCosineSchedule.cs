namespace FocusLab.Optim.Schedules;

/// <summary>
/// Linear warm-up to the peak over <see cref="WarmupSteps"/> steps (f(t) = t/W for t ≤ W), then a
/// half cosine from 1 down to <see cref="Floor"/> at <see cref="TotalSteps"/>, flat at the floor
/// afterwards. FOCUS's GPT-2 runs use W = 2000 and floor 0.05; S3 decays to 0 (floor 0).
/// </summary>
public sealed class WarmupCosineSchedule : ILearningRateSchedule
{
    /// <summary>A warm-up/cosine schedule; out-of-range arguments throw naming the valid range.</summary>
    /// <param name="warmupSteps">W ≥ 0: steps of linear warm-up (0: start at the peak).</param>
    /// <param name="totalSteps">The step (≥ W) at which the cosine reaches the floor.</param>
    /// <param name="floor">The final multiplier as a fraction of the peak, in [0, 1].</param>
    public WarmupCosineSchedule(long warmupSteps, long totalSteps, double floor = 0)
    {
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warmup must be ≥ 0 steps.");
        if (totalSteps < warmupSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"total steps must be ≥ the warm-up ({warmupSteps}).");
        if (!(floor >= 0 && floor <= 1)) throw new ArgumentOutOfRangeException(nameof(floor), floor, "floor must be in [0, 1] (a fraction of the peak lr).");
        WarmupSteps = warmupSteps; TotalSteps = totalSteps; Floor = floor;
    }

    /// <summary>W: the number of linear warm-up steps.</summary>
    public long WarmupSteps { get; }
    /// <summary>The step at which the cosine reaches <see cref="Floor"/>; later steps stay there.</summary>
    public long TotalSteps { get; }
    /// <summary>The multiplier at and after <see cref="TotalSteps"/>, as a fraction of the peak lr.</summary>
    public double Floor { get; }

    /// <summary>t/W during warm-up, then Floor + (1 − Floor)·½(1 + cos(π·progress)), then Floor.</summary>
    public double Factor(long step)
    {
        if (step <= WarmupSteps) return WarmupSteps == 0 ? 1 : (double)Math.Max(step, 0) / WarmupSteps;
        if (step >= TotalSteps) return Floor;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return Floor + (1 - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>The spec that parses back to this schedule, e.g. <c>cosine:warmup=2000,floor=0.05</c>.</summary>
    public override string ToString() => $"cosine:warmup={WarmupSteps},floor={Floor}";
}
