namespace FocusLab.Lab.Training;

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
public sealed record TrainResult
{
    /// <summary>Last completed step (equal to the requested steps unless stopped or diverged).</summary>
    public required long LastStep { get; init; }

    /// <summary>Every logged step, including those of earlier sessions when resumed.</summary>
    public required IReadOnlyList<StepMetrics> Metrics { get; init; }

    /// <summary>The last evaluation, if any.</summary>
    public Evaluation? FinalEvaluation { get; init; }

    /// <summary>Set when the run stopped on a non-finite loss, gradient or parameter.</summary>
    public Divergence? Divergence { get; init; }

    /// <summary>Cumulative training wall time in seconds (all sessions).</summary>
    public double WallSeconds { get; init; }

    /// <summary>Step of the checkpoint on disk when the run ended (null without an output folder).</summary>
    public long? CheckpointStep { get; init; }

    /// <summary>True when the run stopped early because its cancellation token was cancelled (an interrupt); the checkpoint is at <see cref="LastStep"/>.</summary>
    public bool Interrupted { get; init; }

    /// <summary>Things worth telling the user that did not stop the run (e.g. a partial metrics line skipped on resume).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool Diverged => Divergence is not null;
}

/// <summary>Where and why training stopped: <paramref name="What"/> is e.g. "the training loss is NaN".</summary>
public sealed record Divergence(long Step, string What);
