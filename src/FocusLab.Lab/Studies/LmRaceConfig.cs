using System.Globalization;
using System.Text.Json;
using FocusLab.Engine.Models;

namespace FocusLab.Lab.Studies;

/// <summary>
/// A race entrant: label, spec without lr, and the peak lrs tried on the short tuning run.
/// <see cref="S3DecayFromAdamW"/>: the weight decay is set to lr_adamw·wd_adamw/lr after tuning, so the
/// product lr·wd matches adamw's (S3 paper's rule; docs/equations.md#s3).
/// </summary>
public sealed record RaceOptimizer(string Label, string Spec, double[] LrGrid, bool S3DecayFromAdamW = false)
{
    public string WithLr(double lr, double? weightDecay = null)
    {
        var spec = new SweepOptimizer(Label, Spec).WithLr(lr);
        return weightDecay is { } wd ? spec + ",weight_decay=" + wd.ToString("R", CultureInfo.InvariantCulture) : spec;
    }
}

/// <summary>
/// Settings of the language-model race (FOCUS fig. 3, S3 table 2; docs/equations.md#lm-race): the GPT on a byte-level
/// corpus, warm-up + cosine schedule, global-norm clip, adamw vs signum vs focus vs s3 vs lion. Each
/// entrant's peak lr is tuned on its own grid (sign-based methods centred lower than adamw, as they take
/// steps of size lr in every coordinate), extended at an edge optimum up to <see cref="MaxLrExtensions"/>
/// times (<see cref="Tuning.InteriorLrSearch"/>), by the mean final validation loss over the first
/// <see cref="TuneSeeds"/> seeds.
/// </summary>
public sealed record LmRaceConfig(
    string Preset,
    int Layers, int Heads, int Embedding, int BlockSize, int Batch,
    int TuneSteps, int Steps, int EvalEvery, int EvalBatches,
    double WarmupFraction, double Floor, double Clip,
    int[] Seeds,
    RaceOptimizer[] Optimizers,
    int TuneSeeds = 1,
    int MaxLrExtensions = 2)
{
    /// <summary>The race's entrants: adamw (β 0.9/0.95, wd 0.1), signum, focus (β 0.9/0.99, γ 0.2, wd 0.2), s3 (β 0.95, p 3), lion.</summary>
    public static RaceOptimizer[] Entrants(double[] adamLrs, double[] signLrs, double[] s3Lrs, double[] lionLrs) =>
    [
        new("adamw", "adamw:beta1=0.9,beta2=0.95,weight_decay=0.1", adamLrs),
        new("signum", "signum:beta1=0.9,weight_decay=0.2", signLrs),
        new("focus", "focus:beta1=0.9,beta2=0.99,gamma=0.2,weight_decay=0.2", signLrs),
        new("s3", "s3:beta1=0.95,beta2=0.95,p=3,nesterov=true", s3Lrs, S3DecayFromAdamW: true),
        new("lion", "lion:beta1=0.9,beta2=0.99,weight_decay=0.2", lionLrs),
    ];

    /// <summary>
    /// Under 10 minutes on two shared cores: a 2-layer, 64-wide GPT, block 64, batch 8; 80 tuning steps
    /// (adamw 1e-3..1e-2; signum/focus 3e-4..3e-3; s3 3e-3..3e-2; lion 1e-4..1e-3, each ×√10 apart and
    /// extended at an edge), then 400 steps, 1 seed — a smoke test, not a verdict.
    /// </summary>
    public static LmRaceConfig Quick() => new("quick", 2, 2, 64, 64, 8, 80, 400, 25, 4, 0.1, 0.1, 1.0, [1],
        Entrants(Grid(1e-3, 1e-2), Grid(3e-4, 3e-3), Grid(3e-3, 3e-2), Grid(1e-4, 1e-3)));

    /// <summary>The issue's benchmark GPT (4 layers, 4 heads, 128 wide, block 64, batch 16), 200 tuning steps on 2 seeds, 2000 steps, 3 seeds.</summary>
    public static LmRaceConfig Full() => new("full", 4, 4, 128, 64, 16, 200, 2000, 100, 16, 0.1, 0.1, 1.0, [1, 2, 3],
        Entrants(Grid(3e-4, 3e-3), Grid(1e-4, 1e-3), Grid(1e-3, 1e-2), Grid(3e-5, 3e-4)), TuneSeeds: 2);

    /// <summary>Three lrs from <paramref name="lo"/> to <paramref name="hi"/>, ×√(hi/lo) apart.</summary>
    public static double[] Grid(double lo, double hi) => [lo, Math.Sqrt(lo * hi), hi];

    public static LmRaceConfig FromPreset(string name) => name switch
    {
        "quick" => Quick(),
        "full" => Full(),
        _ => throw new ArgumentException($"Unknown preset '{name}'; use quick or full."),
    };

    public GptConfig Gpt => new(256, BlockSize, Layers, Heads, Embedding);

    public string Schedule(int steps) => $"cosine:warmup={(int)Math.Round(WarmupFraction * steps)},floor={Floor.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>The seeds the tuning runs use (the first <see cref="TuneSeeds"/> of <see cref="Seeds"/>).</summary>
    public int[] TuningSeeds => Seeds.Take(TuneSeeds).ToArray();

    public void Validate()
    {
        Gpt.Validate();
        if (Batch < 1 || TuneSteps < 1 || Steps < 1 || EvalEvery < 1 || EvalBatches < 1)
            throw new ArgumentException("Batch, tuning steps, steps, eval interval and eval batches must all be ≥ 1.");
        if (Seeds.Length == 0) throw new ArgumentException("Give at least one seed.");
        if (TuneSeeds < 1 || TuneSeeds > Seeds.Length) throw new ArgumentException($"The tuning seeds ({TuneSeeds}) must be between 1 and the number of seeds ({Seeds.Length}).");
        if (MaxLrExtensions < 0) throw new ArgumentException("--lr-extensions must be ≥ 0.");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException("The warm-up fraction must be in [0, 1).");
        if (!Optimizers.Any(o => o.Label == "adamw")) throw new ArgumentException("The race needs adamw (its final loss is the target).");
        if (Optimizers.Any(o => o.LrGrid.Length == 0)) throw new ArgumentException("Every optimizer needs at least one lr.");
        if (MaxLrExtensions > 0 && Optimizers.Any(o => o.LrGrid.Length < 2)) throw new ArgumentException("An extensible lr grid needs at least two lrs per optimizer (or --lr-extensions 0).");
    }

    public string ToJson() => JsonSerializer.Serialize(this, StudyJson.Options);
}
