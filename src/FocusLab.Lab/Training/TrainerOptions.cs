namespace FocusLab.Lab.Training;

/// <summary>Settings of one training run (the task — model and data — is passed separately).</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer spec, e.g. <c>adamw:lr=1e-3,weight_decay=0.1</c> (its lr is the peak lr).</summary>
    public required string Optimizer { get; init; }

    /// <summary>Total steps; the schedule is laid out over this many.</summary>
    public required int Steps { get; init; }

    /// <summary><c>constant</c> or <c>cosine:warmup=W,floor=F</c>.</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary>Evaluate (and checkpoint) every K steps; 0 = only at the end. The last step is always evaluated.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Global-norm gradient clipping threshold; null = off (the norm is still logged).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Output folder for metrics.jsonl, checkpoint.bin and run.json; null = keep everything in memory.</summary>
    public string? OutDir { get; init; }

    /// <summary>Continue from <c>OutDir/checkpoint.bin</c>.</summary>
    public bool Resume { get; init; }

    /// <summary>Record per-step update statistics (costs one copy of θ per step).</summary>
    public bool TrackUpdateStatistics { get; init; } = true;

    /// <summary>Stop (with a checkpoint) after this step although <see cref="Steps"/> is larger: an interruption that a later --resume continues.</summary>
    public int? StopAfter { get; init; }

    /// <summary>
    /// For optimizers with a diagonal Hessian estimate (sophia): refresh it every this many steps with
    /// the Gauss–Newton–Bartlett gradient, after the optimizer step (Sophia's k = 10). 0 = never.
    /// </summary>
    public int HessianEvery { get; init; } = 10;

    /// <summary>
    /// Stop as diverged once the training loss has stayed above this value for <see cref="DivergencePatience"/>
    /// consecutive steps (null = only non-finite values stop a run). For sweeps that score such runs as
    /// diverged anyway, so they cost little.
    /// </summary>
    public double? DivergenceLoss { get; init; }

    /// <summary>Consecutive steps above <see cref="DivergenceLoss"/> that count as divergence.</summary>
    public int DivergencePatience { get; init; } = 1;

    /// <summary>Called before each step with its number (tests use it to inject faults).</summary>
    internal Action<long>? BeforeStep { get; init; }

    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"--steps must be at least 1; got {Steps}.");
        if (EvalEvery < 0) throw new ArgumentException($"--eval-every must be ≥ 0 (0 = only at the end); got {EvalEvery}.");
        if (ClipNorm is { } c && !(c > 0 && double.IsFinite(c))) throw new ArgumentException($"--clip must be a positive number; got {c}.");
        if (Resume && OutDir is null) throw new ArgumentException("--resume needs --out DIR (the folder holding checkpoint.bin).");
        if (HessianEvery < 0) throw new ArgumentException($"--hessian-every must be ≥ 0 (0 = never); got {HessianEvery}.");
        if (DivergenceLoss is { } dl && !(dl > 0)) throw new ArgumentException($"The divergence loss must be positive; got {dl}.");
        if (DivergencePatience < 1) throw new ArgumentException($"The divergence patience must be at least 1 step; got {DivergencePatience}.");
        if (StopAfter is { } s && (s < 1 || s > Steps)) throw new ArgumentException($"--stop-after must be in 1..{Steps}; got {s}.");
        try
        {
            _ = FocusLab.Optim.Schedules.Schedule.Parse(Schedule, Steps);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The schedule's own message names the bound; drop the framework's "Parameter/Actual value" lines.
            string reason = e.Message.Split('\n')[0].Split(" (Parameter")[0];
            throw new ArgumentException($"--schedule '{Schedule}' with --steps {Steps}: {reason}");
        }
    }
}
