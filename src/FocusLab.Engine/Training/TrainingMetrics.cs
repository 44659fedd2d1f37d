namespace FocusLab.Engine.Training;

/// <summary>One JSON Lines record of metrics.jsonl. Wall-clock rates are not recorded here, so a
/// resumed run's file equals the uninterrupted run's; they go to <see cref="TrainingProgress"/>.</summary>
public sealed record TrainingMetrics(
    long Step,
    double Lr,
    double TrainLoss,
    double GradNorm,
    double UpdateMean,
    double UpdateMax,
    double UpdateFractionAboveOne,
    double? EvalLoss,
    double? EvalAccuracy);

/// <summary>What a progress display needs after each step.</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, double TrainLoss, double? LastEvalLoss, double ItemsPerSecond, string ItemName, TimeSpan Remaining);

/// <summary>How a run ended.</summary>
public sealed record TrainingResult(long LastStep, bool Diverged, string? Message, long LastCheckpointStep);
