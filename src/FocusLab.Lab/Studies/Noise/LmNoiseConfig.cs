using System.Globalization;
using System.Text.Json;
using FocusLab.Engine.Models;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Studies.Noise;

/// <summary>
/// Settings of the LM gradient-noise study: the GPT race of <see cref="LmRace"/> repeated at several batch
/// sizes (in sequences) for a fixed number of steps, every optimizer tuned per batch size on its own grid
/// (<see cref="InteriorLrSearch"/> over the full-length runs, mean final validation loss over
/// <see cref="Seeds"/>). Validation uses the same <see cref="EvalSequences"/> held-out sequences at
/// every batch size, so losses compare across batch sizes.
/// </summary>
public sealed record LmNoiseConfig(
    string Preset,
    int Layers, int Heads, int Embedding, int BlockSize,
    int[] Batches, int Steps, int EvalSequences,
    double WarmupFraction, double Floor, double Clip,
    int[] Seeds,
    RaceOptimizer[] Optimizers,
    int MaxLrExtensions = 2,
    int NoiseGradients = 32)
{
    /// <summary>adamw, signum and focus with the race's settings and per-family grids (sign-based ×3 lower).</summary>
    public static RaceOptimizer[] Entrants() =>
    [
        new("adamw", "adamw:beta1=0.9,beta2=0.95,weight_decay=0.1", LmRaceConfig.Grid(1e-3, 1e-2)),
        new("signum", "signum:beta1=0.9,weight_decay=0.2", LmRaceConfig.Grid(3e-4, 3e-3)),
        new("focus", "focus:beta1=0.9,beta2=0.99,gamma=0.2,weight_decay=0.2", LmRaceConfig.Grid(3e-4, 3e-3)),
    ];

    /// <summary>Minutes on two cores: a 2-layer, 32-wide GPT, block 32, batch 1..8 sequences, 100 steps, 3 seeds, 32 gradients for the noise.</summary>
    public static LmNoiseConfig Quick() => new("quick", 2, 2, 32, 32, [1, 2, 4, 8], 100, 32, 0.1, 0.1, 1.0, [1, 2, 3], Entrants(), NoiseGradients: 32);

    /// <summary>The race's quick GPT (2 layers, 64 wide, block 64), batch 1..32 sequences, 300 steps, 3 seeds, 64 gradients for the noise.</summary>
    public static LmNoiseConfig Default() => new("default", 2, 2, 64, 64, [1, 2, 4, 8, 16, 32], 300, 64, 0.1, 0.1, 1.0, [1, 2, 3], Entrants(), NoiseGradients: 64);

    public static LmNoiseConfig FromPreset(string name) => name switch
    {
        "quick" => Quick(),
        "default" => Default(),
        _ => throw new ArgumentException($"Unknown preset '{name}'; use quick or default."),
    };

    public GptConfig Gpt => new(256, BlockSize, Layers, Heads, Embedding);

    /// <summary>Validation batches of size <paramref name="batch"/> that cover the same <see cref="EvalSequences"/> sequences.</summary>
    public int EvalBatches(int batch) => Math.Max(1, (EvalSequences + batch - 1) / batch);

    public string Schedule => $"cosine:warmup={(int)Math.Round(WarmupFraction * Steps)},floor={Floor.ToString("R", CultureInfo.InvariantCulture)}";

    public void Validate()
    {
        Gpt.Validate();
        if (Batches.Length == 0 || Batches.Any(b => b < 1) || Batches.Distinct().Count() != Batches.Length)
            throw new ArgumentException("--batches must be distinct sizes ≥ 1 (sequences per step).");
        if (Steps < 1 || EvalSequences < 1) throw new ArgumentException("Steps and evaluation sequences must be ≥ 1.");
        if (Seeds.Length == 0) throw new ArgumentException("Give at least one seed.");
        if (MaxLrExtensions < 0) throw new ArgumentException("--lr-extensions must be ≥ 0.");
        if (NoiseGradients < 2) throw new ArgumentException("The noise measurement needs at least 2 gradients.");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException("The warm-up fraction must be in [0, 1).");
        if (!Optimizers.Any(o => o.Label == "adamw")) throw new ArgumentException("The study needs adamw (I compares with it).");
        if (Optimizers.Any(o => o.LrGrid.Length < 2) && MaxLrExtensions > 0) throw new ArgumentException("An extensible lr grid needs at least two lrs per optimizer.");
    }

    public string ToJson() => JsonSerializer.Serialize(this, StudyJson.Options);
}
