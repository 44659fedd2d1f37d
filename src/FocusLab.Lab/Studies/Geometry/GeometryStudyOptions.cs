using FocusLab.Lab.Studies.Rotation;

namespace FocusLab.Lab.Studies.Geometry;

/// <summary>The three versions of one loss that the geometry study trains on.</summary>
public enum LossVersion
{
    /// <summary>L(y): the model's own parameters.</summary>
    Original,
    /// <summary>L(Rx) with R a rotation of the whole flat parameter vector (Xie et al.; <see cref="Rotations.TensorProductRotation"/>).</summary>
    Coordinate,
    /// <summary>L(W = U·W'·Vᵀ) for every weight matrix, fixed Haar U and V (<see cref="Rotations.MatrixBlockRotation"/>).</summary>
    Matrix,
}

/// <summary>
/// Settings of the geometry study ("which geometry does each optimizer exploit?"): the network rotation study's
/// training regime (<see cref="Network"/>: model, data, steps, seeds, warm-up + cosine, clipping, lr grid and its
/// extensions, optimizers with their base specs) run on each <see cref="Losses"/> version, plus the curvature probes
/// of each version at every chosen run's end: ‖H‖₁,₁/d (Cauchy), the spectral smoothness and the ℓ2 top eigenvalue.
/// </summary>
public sealed record GeometryStudyOptions
{
    /// <summary>The training regime, optimizers and ‖H‖₁,₁ probes (the rotation study's settings; <see cref="NetworkRotationOptions.Rounds"/> shapes the coordinate rotation).</summary>
    public required NetworkRotationOptions Network { get; init; }

    /// <summary>The loss versions trained on, each optimizer at its own best lr on each.</summary>
    public LossVersion[] Losses { get; init; } = [LossVersion.Original, LossVersion.Coordinate, LossVersion.Matrix];

    /// <summary>Random starts of the spectral-smoothness power iteration.</summary>
    public int SpectralStarts { get; init; } = 3;

    /// <summary>HVPs per start of the spectral-smoothness power iteration.</summary>
    public int SpectralIterations { get; init; } = 10;

    /// <summary>Lanczos steps (HVPs) for the ℓ2 top eigenvalue.</summary>
    public int LanczosIterations { get; init; } = 20;

    /// <summary>The optimizers of the study: sgd (ℓ2), adam, signum and focus (ℓ∞), muon (spectral; aux adam on the other tensors).</summary>
    public static (string Name, string Spec)[] Optimizers(string model) => model == "gpt"
        ? [("sgd", "sgd:lr=0.1,momentum=0.9"), ("adam", "adam:lr=0.002"), ("signum", "signum:lr=0.001"), ("focus", "focus:lr=0.001"),
           ("muon", "muon:lr=0.02,weight_decay=0,aux=adam:lr=0.002")]
        : [("sgd", "sgd:lr=0.05,momentum=0.9"), ("adam", "adam:lr=0.003"), ("signum", "signum:lr=0.001"), ("focus", "focus:lr=0.001"),
           ("muon", "muon:lr=0.02,weight_decay=0,aux=adam:lr=0.003")];

    /// <summary>
    /// `focuslab geometry-study --network M --preset P`. full: sized to finish within 15 minutes per network on 2 shared
    /// cores (MLP 784-32-32-10 for 500 steps at batch 64; GPT 1 layer of width 32 for 300 steps at batch 8), 3 seeds, lr grid ×0.3/1/3
    /// extended up to twice per side. quick: a fifth of the steps, 2 seeds, no extensions (a smoke run).
    /// </summary>
    public static GeometryStudyOptions Preset(string model, string preset)
    {
        var network = model switch
        {
            "mlp" => new NetworkRotationOptions
            {
                Model = "mlp", Mlp = new(Inputs: 784, Hidden: 32, Depth: 2, Classes: 10), Batch = 64, MeasureBatch = 256, Steps = 500, Checkpoints = [500],
            },
            "gpt" => new NetworkRotationOptions { Model = "gpt", Batch = 8, MeasureBatch = 8, Steps = 300, Checkpoints = [300] },
            _ => throw new ArgumentException($"Unknown network '{model}': use --network mlp or --network gpt."),
        };
        network = network with { Optimizers = Optimizers(model), MaxLrExtensions = 2, EstimatorSamples = 32 };
        return preset switch
        {
            "full" => new GeometryStudyOptions { Network = network, SpectralIterations = 15 },
            "quick" => new GeometryStudyOptions
            {
                Network = network with { Steps = network.Steps / 5, Checkpoints = [network.Steps / 5], Seeds = [1, 2], MaxLrExtensions = 0 },
                SpectralIterations = 5, LanczosIterations = 10,
            },
            _ => throw new ArgumentException($"Unknown preset '{preset}': use --preset quick or full."),
        };
    }

    /// <summary>The loss versions of a comma-separated list (original, coordinate, matrix).</summary>
    public static LossVersion[] ParseLosses(string text)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant() switch
        {
            "original" => LossVersion.Original,
            "coordinate" => LossVersion.Coordinate,
            "matrix" => LossVersion.Matrix,
            _ => throw new ArgumentException($"Unknown loss version '{s}' in --losses: use original, coordinate and/or matrix (e.g. original,coordinate,matrix)."),
        }).ToArray();
        return list;
    }

    /// <summary>The lower-case name of a loss version, as in files and messages.</summary>
    public static string Name(LossVersion v) => v.ToString().ToLowerInvariant();

    /// <summary>Refuses settings the study cannot run, with the fix.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network);
        Network.Validate();
        if (Losses.Length == 0 || Losses.Distinct().Count() != Losses.Length)
            throw new ArgumentException("Give each loss version at most once and at least one (--losses original,coordinate,matrix).");
        if (Network.Checkpoints.Length != 1 || Network.Checkpoints[0] != Network.Steps)
            throw new ArgumentException($"The geometry study measures at the last step only; set the checkpoints to [{Network.Steps}].");
        if (SpectralStarts < 1 || SpectralIterations < 1) throw new ArgumentException($"Spectral smoothness needs at least 1 start and 1 iteration (got {SpectralStarts} and {SpectralIterations}).");
        if (LanczosIterations < 2) throw new ArgumentException($"Lanczos needs at least 2 iterations (got {LanczosIterations}).");
    }
}
