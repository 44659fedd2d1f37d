namespace FocusLab.Engine.Checkpoints;

/// <summary>Conventional section names used by <c>focuslab train</c> checkpoints.</summary>
public static class CheckpointSections
{
    /// <summary>Model parameters (and buffers such as batch-norm running statistics).</summary>
    public const string Model = "model";
    /// <summary>Optimizer state (moments, step counters).</summary>
    public const string Optimizer = "optimizer";
    /// <summary>Data-sampler position (<see cref="Data.Sampling.ShuffledBatchSampler"/> or text sampler state bytes).</summary>
    public const string Sampler = "sampler";
    /// <summary>Any other random-number-generator state (dropout, initialisation).</summary>
    public const string Rng = "rng";
    /// <summary>UTF-8 JSON with run metadata (step, config, metrics so far).</summary>
    public const string MetaJson = "meta-json";
}
