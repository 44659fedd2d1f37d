namespace FocusLab.Lab.Training;

/// <summary>Receives progress from a <see cref="Trainer"/> (the CLI shows it as a progress bar).</summary>
public interface ITrainingProgress
{
    void Started(long firstStep, long lastStep, string itemName);

    /// <param name="itemsPerSecond">Samples or tokens per second since this session started.</param>
    void Stepped(long step, double trainLoss, double itemsPerSecond);

    void Evaluated(long step, Evaluation evaluation);
}
