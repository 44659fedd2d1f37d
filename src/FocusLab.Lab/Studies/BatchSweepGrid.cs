using System.Globalization;
using System.Text.Json;

namespace FocusLab.Lab.Studies;

/// <summary>One optimizer of a sweep: a label and its spec without the lr (the sweep supplies it).</summary>
public sealed record SweepOptimizer(string Label, string Spec)
{
    /// <summary>The full spec with <paramref name="lr"/> put first.</summary>
    public string WithLr(double lr)
    {
        int colon = Spec.IndexOf(':');
        string lrText = "lr=" + lr.ToString("R", CultureInfo.InvariantCulture);
        return colon < 0 ? $"{Spec}:{lrText}" : $"{Spec[..colon]}:{lrText},{Spec[(colon + 1)..]}";
    }
}

/// <summary>
/// The grid of the batch-size crossover study (FOCUS, Liu, Liu &amp; Gore 2025, fig. 2c/d; docs/equations.md#batch-sweep):
/// every (batch size, optimizer, learning rate, replicate) cell is one MLP training run of
/// <see cref="Steps"/> steps, scored by its final test loss. Replicate r uses seed
/// <see cref="Seed"/> + r for the initialisation and batch order, the same for every optimizer and lr.
/// </summary>
public sealed record BatchSweepGrid(
    string Preset,
    int[] BatchSizes,
    double[] LearningRates,
    int Replicates,
    int Steps,
    double WeightDecay,
    SweepOptimizer[] Optimizers,
    int Seed = 1,
    int EvalEvery = 0,
    int EvalSamples = 0)
{
    /// <summary>The optimizers of the paper's figure: adamw, signum, focus γ 0.2 and 0.4, β (0.9, 0.99) for focus; decay on weight matrices only.</summary>
    public static SweepOptimizer[] PaperOptimizers(double wd) =>
    [
        new("adamw", $"adamw:weight_decay={F(wd)}"),
        new("signum", $"signum:beta1=0.9,weight_decay={F(wd)}"),
        new("focus_g0.2", $"focus:beta1=0.9,beta2=0.99,gamma=0.2,weight_decay={F(wd)}"),
        new("focus_g0.4", $"focus:beta1=0.9,beta2=0.99,gamma=0.4,weight_decay={F(wd)}"),
    ];

    /// <summary>The paper's grid: batch 2^1..2^12, lr logspace(−4, 0, 20), 3 replicates, 400 steps, wd 1e-2.</summary>
    public static BatchSweepGrid Paper() => new("paper",
        Enumerable.Range(1, 12).Select(k => 1 << k).ToArray(), LogSpace(-4, 0, 20), 3, 400, 1e-2, PaperOptimizers(1e-2));

    /// <summary>
    /// A reduced grid that finishes in under 10 minutes on two shared cores: batch 2^1..2^9 in steps
    /// of 4×, five learning rates logspace(−4, −1, 5) (where the four optimizers' best lrs fall), 2
    /// replicates, 100 steps, test loss on the first 2,000 test images. Fewer steps than the paper,
    /// so losses are higher and the crossover may sit at a different batch size.
    /// </summary>
    public static BatchSweepGrid Quick() => new("quick",
        [2, 8, 32, 128, 512], LogSpace(-4, -1, 5), 2, 100, 1e-2, PaperOptimizers(1e-2), EvalSamples: 2000);

    public static BatchSweepGrid FromPreset(string name) => name switch
    {
        "quick" => Quick(),
        "paper" => Paper(),
        _ => throw new ArgumentException($"Unknown preset '{name}'; use quick or paper."),
    };

    /// <summary>10^(a + (b−a)·i/(n−1)) for i = 0..n−1 (numpy.logspace).</summary>
    public static double[] LogSpace(double a, double b, int n) =>
        n == 1 ? [Math.Pow(10, a)] : Enumerable.Range(0, n).Select(i => Math.Pow(10, a + (b - a) * i / (n - 1))).ToArray();

    public int CellCount => BatchSizes.Length * Optimizers.Length * LearningRates.Length * Replicates;

    /// <summary>All cells in a fixed order (batch, optimizer, lr, replicate); a cell's index is its position.</summary>
    public IEnumerable<SweepCellKey> Cells()
    {
        foreach (int b in BatchSizes)
            foreach (var o in Optimizers)
                for (int l = 0; l < LearningRates.Length; l++)
                    for (int r = 0; r < Replicates; r++)
                        yield return new SweepCellKey(o.Label, b, l, r);
    }

    public void Validate()
    {
        if (BatchSizes.Length == 0 || BatchSizes.Any(b => b < 2)) throw new ArgumentException("Batch sizes must be ≥ 2 (batch normalisation needs two samples).");
        if (BatchSizes.Distinct().Count() != BatchSizes.Length) throw new ArgumentException("Batch sizes must be distinct.");
        if (LearningRates.Length == 0 || LearningRates.Any(l => !(l > 0 && double.IsFinite(l)))) throw new ArgumentException("Learning rates must be positive.");
        if (Replicates < 1) throw new ArgumentException("--replicates must be at least 1.");
        if (Steps < 1) throw new ArgumentException("--steps must be at least 1.");
        if (Optimizers.Select(o => o.Label).Distinct().Count() != Optimizers.Length) throw new ArgumentException("Optimizer labels must be distinct.");
        if (!Optimizers.Any(o => o.Label == "adamw") || !Optimizers.Any(o => o.Label == "signum"))
            throw new ArgumentException("The sweep needs optimizers labelled adamw and signum (the improvement I compares them).");
        foreach (var o in Optimizers) _ = FocusLab.Optim.OptimizerFactory.Parse(o.WithLr(1e-3));
    }

    public string ToJson() => JsonSerializer.Serialize(this, StudyJson.Options);

    public static BatchSweepGrid FromJson(string json) =>
        JsonSerializer.Deserialize<BatchSweepGrid>(json, StudyJson.Options) ?? throw new InvalidDataException("Empty sweep definition.");

    /// <summary>Same grid (compared through the canonical JSON).</summary>
    public bool SameAs(BatchSweepGrid other) => ToJson() == other.ToJson();

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Identifies one run of a sweep.</summary>
public readonly record struct SweepCellKey(string Optimizer, int Batch, int LrIndex, int Replicate)
{
    public override string ToString() => $"{Optimizer} batch {Batch} lr#{LrIndex} rep {Replicate}";
}
