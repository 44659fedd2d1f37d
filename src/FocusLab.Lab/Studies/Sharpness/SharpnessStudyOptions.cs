using FocusLab.Engine.Models;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>Where a pseudo-update's moments come from (Pan &amp; Li accumulate them over the whole run).</summary>
public enum PseudoUpdateMoments
{
    /// <summary>Every gradient of the trajectory, from its first step (<see cref="PseudoUpdateTracker"/>).</summary>
    Trajectory,
    /// <summary>Only the last <see cref="SharpnessStudyOptions.Window"/> gradients, replayed from the checkpoint.</summary>
    Window,
}

/// <summary>One optimizer whose pseudo-update direction is measured: a display name and its <see cref="Optim.OptimizerFactory"/> spec.</summary>
public sealed record SharpnessDirection(string Name, string Spec);

/// <summary>
/// Settings of the directional-sharpness study (Pan &amp; Li 2023; docs/equations.md#sharpness-study). The learning rates of the
/// pseudo-updates do not matter for the measured quantities (sharpness is normalised by ‖u‖² and the line
/// search walks along u/‖u‖), except through θ-dependent terms, of which these specs have none but
/// adafactor's relative step (a per-tensor scale, as in the paper's default adafactor).
/// </summary>
public sealed record SharpnessStudyOptions
{
    /// <summary>"gpt" (transformer on text) or "mlp" (the non-transformer contrast).</summary>
    public string Model { get; init; } = "gpt";
    public GptConfig Gpt { get; init; } = new(VocabSize: 256, BlockSize: 32, Layers: 2, Heads: 2, Embedding: 64);
    public MlpConfig Mlp { get; init; } = new();
    public int Batch { get; init; } = 8;
    public int MeasureBatch { get; init; } = 8;
    public int Steps { get; init; } = 300;
    /// <summary>Steps after which the model is measured (each in 1..Steps).</summary>
    public int[] Checkpoints { get; init; } = [150, 300];
    public int[] Seeds { get; init; } = [1];
    /// <summary>Where the pseudo-updates' moments come from: the whole trajectory (default, as Pan &amp; Li) or a window of the last <see cref="Window"/> gradients.</summary>
    public PseudoUpdateMoments Moments { get; init; } = PseudoUpdateMoments.Trajectory;
    /// <summary>With <see cref="PseudoUpdateMoments.Window"/>: gradients of the last steps that build each pseudo-update (the last is the gradient at the checkpoint).</summary>
    public int Window { get; init; } = 20;
    /// <summary>The trajectories: name → training optimizer spec.</summary>
    public (string Name, string Spec)[] Trajectories { get; init; } = [("sgd", "sgd:lr=0.1,momentum=0.9"), ("adam", "adam:lr=0.002")];
    public SharpnessDirection[] Directions { get; init; } = PanLiDirections;
    /// <summary>The bracketing line search along u/‖u‖. Each direction starts at its own step scale (the minimiser of its quadratic
    /// model); <see cref="LineSearchOptions.InitialStep"/> is only the fallback for a direction whose model has no minimum.</summary>
    public LineSearchOptions LineSearch { get; init; } = new() { InitialStep = 0.05 };
    /// <summary>How the measurements' Hessian-vector products are computed (exact float32 by default;
    /// finite differences of float64 gradients as the independent reference).</summary>
    public ModelLoss.HessianMethod Hessian { get; init; } = ModelLoss.HessianMethod.ExactFloat32;
    /// <summary>
    /// Samples of the measurement batch on which the Gauss–Newton smoothness (Pan &amp; Li, appendix D) is measured
    /// at every checkpoint; 0 turns it off. MLP: images; GPT: token windows, each predicting its last token over
    /// the 256-byte vocabulary. Memory and time grow as B·K·d floats (MLP 32·10·170K = 218 MB; quick GPT 2·256·120K = 240 MB).
    /// </summary>
    public int GaussNewtonBatch { get; init; }
    /// <summary>The authors' factor-norm criterion considers only the tensors whose name contains this (e.g. ".attn." for the GPT's
    /// attention weights); null or empty: every parameter. The row-norm criterion always considers every parameter.</summary>
    public string? GaussNewtonCandidates { get; init; }
    /// <summary>(seed, trajectory) runs trained and measured at once (default: one per core). The report
    /// is the same for any value; more runs at once also hold more models in memory.</summary>
    public int ParallelRuns { get; init; } = Environment.ProcessorCount;

    /// <summary>Pan &amp; Li's table: every optimizer with its clipped variant (sgd 10%, adaptive 50%), adam with its update clipped (50%); sgd is the reference.</summary>
    public static readonly SharpnessDirection[] PanLiDirections =
    [
        // Same EMA momentum from zero as sgd_clip, so clipping is the only difference between the two.
        new("sgd", "sgd:lr=1,momentum=0.9,dampening=0.9,momentum_init=zero"),
        new("sgd_clip", "sgd_clip:lr=1,clip_fraction=0.1"),
        new("adam", "adam:lr=1"),
        new("adam_clip", "adam_clip:lr=1,clip_fraction=0.5"),
        new("adam_update_clip", "adam:lr=1,update_clip_fraction=0.5"),
        new("adafactor", "adafactor"),
        new("adafactor_clip", "adafactor:clip_fraction=0.5"),
        new("lion", "lion:lr=1"),
        new("signum", "signum:lr=1"),
        new("normalized_sgd", "normalized_sgd:lr=1"),
        new("normalized_sgd_clip", "normalized_sgd:lr=1,clip_fraction=0.1"),
    ];

    public const string Reference = "sgd";

    /// <summary>The GPT's attention weights (c_attn and c_proj of every block): the authors' Gauss–Newton candidates.</summary>
    public const string AttentionWeights = ".attn.";

    /// <summary>The presets of `focuslab sharpness --preset`: quick (minutes) and full (3 seeds, larger model).</summary>
    public static SharpnessStudyOptions Preset(string model, string preset) => (model, preset) switch
    {
        ("gpt", "quick") => new() { Model = "gpt", GaussNewtonBatch = 2, GaussNewtonCandidates = AttentionWeights },
        ("gpt", "full") => new()
        {
            Model = "gpt",
            Gpt = new GptConfig(VocabSize: 256, BlockSize: 64, Layers: 4, Heads: 4, Embedding: 128),
            Batch = 16, MeasureBatch = 8, Steps = 600, Checkpoints = [100, 300, 600], Seeds = [1, 2, 3],
        },
        ("mlp", "quick") => new()
        {
            Model = "mlp", Batch = 128, MeasureBatch = 512, Steps = 300, Checkpoints = [100, 300], GaussNewtonBatch = 32,
            Trajectories = [("sgd", "sgd:lr=0.05,momentum=0.9"), ("adam", "adam:lr=0.001")],
        },
        ("mlp", "full") => new()
        {
            Model = "mlp", Batch = 128, MeasureBatch = 1024, Steps = 1500, Checkpoints = [100, 500, 1500], Seeds = [1, 2, 3], GaussNewtonBatch = 32,
            Trajectories = [("sgd", "sgd:lr=0.05,momentum=0.9"), ("adam", "adam:lr=0.001")],
        },
        _ => throw new ArgumentException($"Unknown model '{model}' or preset '{preset}': use --model gpt|mlp and --preset quick|full."),
    };

    public void Validate()
    {
        if (ParallelRuns < 1) throw new ArgumentException($"Parallel runs {ParallelRuns} must be at least 1.");
        if (Model is not ("gpt" or "mlp")) throw new ArgumentException($"Model '{Model}' is not supported: use gpt or mlp.");
        if (Batch < 1 || MeasureBatch < 2) throw new ArgumentException($"Batch {Batch} and measurement batch {MeasureBatch} must be at least 1 and 2.");
        if (Steps < 1) throw new ArgumentException($"Steps {Steps} must be at least 1.");
        if (Window < 1) throw new ArgumentException($"Window {Window} must be at least 1.");
        if (Checkpoints.Length == 0 || Checkpoints.Any(c => c < 1 || c > Steps) || Checkpoints.Distinct().Count() != Checkpoints.Length)
            throw new ArgumentException($"Checkpoints [{string.Join(", ", Checkpoints)}] must be distinct steps in 1..{Steps}.");
        if (Seeds.Length == 0) throw new ArgumentException("Give at least one seed.");
        if (Trajectories.Length == 0) throw new ArgumentException("Give at least one training trajectory.");
        if (!Directions.Any(d => d.Name == Reference)) throw new ArgumentException($"The directions must include the reference '{Reference}'.");
        ArgumentNullException.ThrowIfNull(LineSearch, nameof(LineSearch));
        LineSearch.Validate();
        if (GaussNewtonBatch != 0 && (GaussNewtonBatch < 2 || GaussNewtonBatch > MeasureBatch))
            throw new ArgumentException($"Gauss–Newton batch {GaussNewtonBatch} must be 0 (off) or in 2..{MeasureBatch} (the measurement batch).");
        foreach (var (_, spec) in Trajectories) Optim.OptimizerFactory.Parse(spec);
        foreach (var d in Directions) Optim.OptimizerFactory.Parse(d.Spec);
        if (Model == "gpt") Gpt.Validate(); else Mlp.Validate();
    }
}
