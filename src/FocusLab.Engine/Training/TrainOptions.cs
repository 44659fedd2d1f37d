namespace FocusLab.Engine.Training;

/// <summary>Settings of one `focuslab train` run. <see cref="Validate"/> refuses bad values up front.</summary>
public sealed record TrainOptions
{
    public required string Model { get; init; }               // "mlp" | "gpt"
    public required string Optimizer { get; init; }           // FocusLab.Optim spec, e.g. "adamw:lr=1e-3,weight_decay=0.01"
    public required long Steps { get; init; }
    public required int Batch { get; init; }
    public required string OutputDirectory { get; init; }
    public string Schedule { get; init; } = "constant";       // FocusLab.Optim.Schedules spec
    public int EvalEvery { get; init; } = 100;
    public int EvalBatches { get; init; } = 20;                // GPT validation batches per evaluation
    public double ClipNorm { get; init; }                      // 0 = no clipping
    public ulong Seed { get; init; } = 1;
    public bool Resume { get; init; }

    // GPT sizes (nanoGPT names).
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int Embedding { get; init; } = 128;
    public int BlockSize { get; init; } = 64;
    public double Dropout { get; init; }

    public void Validate()
    {
        if (Model is not ("mlp" or "gpt")) throw new ArgumentException($"--model must be mlp or gpt, got '{Model}'.");
        if (Steps < 1) throw new ArgumentException($"--steps must be at least 1 (got {Steps}).");
        if (Batch < 1) throw new ArgumentException($"--batch must be at least 1 (got {Batch}).");
        if (Model == "mlp" && Batch < 2) throw new ArgumentException("--batch must be at least 2 for the MLP (BatchNorm needs two samples).");
        if (EvalEvery < 1) throw new ArgumentException($"--eval-every must be at least 1 (got {EvalEvery}).");
        if (EvalBatches < 1) throw new ArgumentException($"--eval-batches must be at least 1 (got {EvalBatches}).");
        if (ClipNorm < 0 || double.IsNaN(ClipNorm)) throw new ArgumentException($"--clip must be >= 0 (0 disables clipping), got {ClipNorm}.");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("--out must name a folder for metrics and checkpoints.");
        if (Model == "gpt") new Models.GptConfig(256, BlockSize, Layers, Heads, Embedding, Dropout).Validate();
    }
}
