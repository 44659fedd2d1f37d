using FocusLab.Engine.Models;
using FocusLab.Lab.Tuning;
using FocusLab.Optim.Schedules;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>The learning-rate schedule of the network rotation study's runs.</summary>
public enum RotationSchedule
{
    /// <summary>Linear warm-up over <see cref="NetworkRotationOptions.WarmupFraction"/> of the steps, then a half cosine to <see cref="NetworkRotationOptions.CosineFloor"/> × the peak (the paper's regime).</summary>
    WarmupCosine,
    /// <summary>The peak lr at every step.</summary>
    Constant,
}

/// <summary>
/// Settings of the network rotation study (Xie et al., "Adam exploits ℓ∞-geometry of loss landscape via
/// coordinate-wise adaptivity"; docs/equations.md#network-rotation-study): each optimizer trains the same
/// model on the original loss L(y)
/// and on the rotated loss L(Rx) (R a <see cref="Rotations.TensorProductRotation"/>, x₀ = Rᵀy₀ so both
/// start from the same network), and ‖H‖₁,₁/d of the loss each optimizer sees is estimated on checkpoints.
/// </summary>
public sealed record NetworkRotationOptions
{
    public string Model { get; init; } = "mlp";
    public MlpConfig Mlp { get; init; } = new(Inputs: 784, Hidden: 64, Depth: 2, Classes: 10);
    public GptConfig Gpt { get; init; } = new(VocabSize: 256, BlockSize: 32, Layers: 1, Heads: 2, Embedding: 32);
    public int Batch { get; init; } = 128;
    public int MeasureBatch { get; init; } = 256;
    public int Steps { get; init; } = 1000;
    /// <summary>Steps after which ‖H‖₁,₁/d is estimated (each in 1..Steps).</summary>
    public int[] Checkpoints { get; init; } = [1000];
    public int[] Seeds { get; init; } = [1, 2, 3];
    /// <summary>Rounds k of permute → reshape → rotate each axis.</summary>
    public int Rounds { get; init; } = 3;
    /// <summary>The lr schedule (default the paper's warm-up + cosine).</summary>
    public RotationSchedule Schedule { get; init; } = RotationSchedule.WarmupCosine;
    /// <summary>Fraction of the steps spent warming up (with <see cref="RotationSchedule.WarmupCosine"/>).</summary>
    public double WarmupFraction { get; init; } = 0.05;
    /// <summary>Where the cosine ends, as a fraction of the peak lr (with <see cref="RotationSchedule.WarmupCosine"/>).</summary>
    public double CosineFloor { get; init; } = 0.1;
    /// <summary>Global-norm gradient clipping threshold (the paper's 1); 0 turns it off. ‖Rᵀg‖ = ‖g‖, so it is rotation-invariant.</summary>
    public double ClipNorm { get; init; } = 1;
    /// <summary>Extensions of the lr grid allowed per side while the best lr sits at an edge (<see cref="InteriorLrSearch"/>).</summary>
    public int MaxLrExtensions { get; init; } = 3;
    /// <summary>(optimizer, loss) searches run at once (default: one per core); the report is the same for any value.</summary>
    public int ParallelRuns { get; init; } = Environment.ProcessorCount;
    /// <summary>Cauchy probes (HVPs) per ‖H‖₁,₁ estimate.</summary>
    public int EstimatorSamples { get; init; } = 32;
    public (string Name, string Spec)[] Optimizers { get; init; } =
        [("adam", "adam:lr=0.003"), ("adasgd", "adasgd:lr=0.003"), ("sgd", "sgd:lr=0.05,momentum=0.9")];
    /// <summary>
    /// The initial learning-rate grid: multiples of each optimizer's spec lr. Every (optimizer, loss) pair keeps its own best
    /// lr (lowest final loss, mean over seeds), the grid extended while that lr is at an edge, so "adam is slower on the
    /// rotated loss" cannot be an artefact of an lr tuned on the original loss only, or of a grid that stops too early.
    /// </summary>
    public double[] LearningRateFactors { get; init; } = [0.3, 1, 3];

    /// <summary>The lr an optimizer spec gives (the grid's unit); refuses specs without one.</summary>
    public static double BaseLearningRate(string spec)
    {
        var (_, settings) = Optim.OptimizerFactory.Parse(spec);
        if (!settings.TryGetValue("lr", out var text) || !double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double lr) || !(lr > 0))
            throw new ArgumentException($"Optimizer spec '{spec}' needs a positive lr=...: the network study's lr grid multiplies it.");
        return lr;
    }

    /// <summary>The spec with its lr replaced.</summary>
    public static string WithLearningRate(string spec, double lr)
    {
        var (id, settings) = Optim.OptimizerFactory.Parse(spec);
        settings["lr"] = lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return id + ":" + string.Join(",", settings.Select(kv => kv.Key + "=" + kv.Value));
    }

    /// <summary>The schedule's multiplier of the peak lr at each step.</summary>
    public ILearningRateSchedule LearningRateSchedule() => Schedule == RotationSchedule.WarmupCosine
        ? new WarmupCosineSchedule((long)Math.Round(WarmupFraction * Steps), Steps, CosineFloor)
        : ConstantSchedule.Instance;

    /// <summary>The full preset (the paper's regime at this scale).</summary>
    public static NetworkRotationOptions Default(string model) => Preset(model, "full");

    /// <summary>`focuslab rotation --network M --preset P`: full (the paper's regime at this scale, 3 seeds) or quick (short runs, 3 seeds).</summary>
    public static NetworkRotationOptions Preset(string model, string preset)
    {
        var full = model switch
        {
            "mlp" => new NetworkRotationOptions(),
            "gpt" => new NetworkRotationOptions
            {
                Model = "gpt", Batch = 8, MeasureBatch = 8, Steps = 400, Checkpoints = [400],
                Optimizers = [("adam", "adam:lr=0.002"), ("adasgd", "adasgd:lr=0.002"), ("sgd", "sgd:lr=0.1,momentum=0.9")],
            },
            _ => throw new ArgumentException($"Unknown network '{model}': use --network mlp or --network gpt."),
        };
        return preset switch
        {
            "full" => full,
            "quick" => full with { Steps = full.Steps / 4, Checkpoints = [full.Steps / 4] },
            _ => throw new ArgumentException($"Unknown preset '{preset}': use --preset quick or full."),
        };
    }

    public void Validate()
    {
        if (Model is not ("gpt" or "mlp")) throw new ArgumentException($"Network '{Model}' is not supported: use mlp or gpt.");
        if (Batch < 1 || MeasureBatch < 2) throw new ArgumentException($"Batch {Batch} and measurement batch {MeasureBatch} must be at least 1 and 2.");
        if (Steps < 1) throw new ArgumentException($"Steps {Steps} must be at least 1.");
        if (Checkpoints.Any(c => c < 1 || c > Steps) || Checkpoints.Distinct().Count() != Checkpoints.Length)
            throw new ArgumentException($"Checkpoints [{string.Join(", ", Checkpoints)}] must be distinct steps in 1..{Steps}.");
        if (Seeds.Length == 0) throw new ArgumentException("Give at least one seed.");
        if (Rounds < 1) throw new ArgumentException($"Rounds {Rounds} must be at least 1.");
        if (EstimatorSamples < 8) throw new ArgumentException($"The ‖H‖₁,₁ estimator needs at least 8 Cauchy samples (got {EstimatorSamples}).");
        if (Optimizers.Length == 0) throw new ArgumentException("Give at least one optimizer.");
        if (Optimizers.Select(o => o.Name).Distinct().Count() != Optimizers.Length) throw new ArgumentException("Every optimizer of the network study needs a distinct name.");
        if (LearningRateFactors.Length == 0 || LearningRateFactors.Any(f => !(f > 0) || !double.IsFinite(f)) || LearningRateFactors.Distinct().Count() != LearningRateFactors.Length)
            throw new ArgumentException($"Learning-rate factors [{string.Join(", ", LearningRateFactors)}] must be distinct positive numbers (e.g. 0.3,1,3).");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"Warm-up fraction {WarmupFraction} must be in [0, 1).");
        if (!(CosineFloor >= 0 && CosineFloor <= 1)) throw new ArgumentException($"Cosine floor {CosineFloor} must be in [0, 1] (a fraction of the peak lr).");
        if (!(ClipNorm >= 0) || !double.IsFinite(ClipNorm)) throw new ArgumentException($"Clip norm {ClipNorm} must be 0 (off) or positive.");
        if (MaxLrExtensions < 0) throw new ArgumentException($"Lr-grid extensions {MaxLrExtensions} must be ≥ 0.");
        if (MaxLrExtensions > 0 && LearningRateFactors.Length < 2) throw new ArgumentException("An extensible lr grid needs at least two --lr-factors (their ratio is the extension step).");
        if (ParallelRuns < 1) throw new ArgumentException($"Parallel runs {ParallelRuns} must be at least 1.");
        foreach (var (_, spec) in Optimizers) BaseLearningRate(spec);
        if (Model == "gpt") Gpt.Validate(); else Mlp.Validate();
    }
}
