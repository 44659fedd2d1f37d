using System.Globalization;
using System.Text.Json;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.BatchSize;

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
    int EvalSamples = 0,
    int? Arithmetic = null)
{
    /// <summary>
    /// The <see cref="FocusLab.Optim.OptimizerArithmetic"/> version the store's cells were computed with (written when
    /// the store is created; a store from before the field existed holds version 1).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int ArithmeticVersion => Arithmetic ?? 1;

    /// <summary>
    /// Null when this build computes cells with the store's arithmetic; otherwise the one-line reason its results
    /// would differ in the last bits, naming the commit that reproduces the store.
    /// </summary>
    public string? ArithmeticMismatch() => ArithmeticVersion == FocusLab.Optim.OptimizerArithmetic.Version ? null
        : $"its cells were computed with optimizer arithmetic v{ArithmeticVersion} (FocusLab at commit {FocusLab.Optim.OptimizerArithmetic.LastCommitOf(ArithmeticVersion)}) and this build uses v{FocusLab.Optim.OptimizerArithmetic.Version}";

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
    /// of 4×, five learning rates logspace(−4, −1, 5) (where the four optimizers' best lrs fall), 3
    /// replicates (the fewest that give a spread), 100 steps, test loss on the first 2,000 test images. Fewer steps than the paper,
    /// so losses are higher and the crossover may sit at a different batch size.
    /// </summary>
    public static BatchSweepGrid Quick() => new("quick",
        [2, 8, 32, 128, 512], LogSpace(-4, -1, 5), 3, 100, 1e-2, PaperOptimizers(1e-2), EvalSamples: 2000);

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

    /// <summary>
    /// Why <paramref name="other"/> cannot share a store with this grid, or null when it can. A cell's
    /// outcome depends on its optimizer's spec, its batch size, its lr and replicate and on the fields
    /// compared here; it does not depend on which other batch sizes or optimizers the grid holds, so two
    /// grids that differ only in those (or in the preset's name) describe cells of one store.
    /// </summary>
    public string? IncompatibilityWith(BatchSweepGrid other)
    {
        if (!LearningRates.SequenceEqual(other.LearningRates)) return "learning rates";
        if (Replicates != other.Replicates) return "replicates";
        if (Steps != other.Steps) return "steps";
        if (!WeightDecay.Equals(other.WeightDecay)) return "weight decay";
        if (Seed != other.Seed) return "seed";
        if (EvalEvery != other.EvalEvery) return "evaluation interval";
        if (EvalSamples != other.EvalSamples) return "number of test samples";
        foreach (var o in other.Optimizers)
            if (Optimizers.FirstOrDefault(m => m.Label == o.Label) is { } mine && mine.Spec != o.Spec)
                return $"optimizer {o.Label} ({mine.Spec} vs {o.Spec})";
        return null;
    }

    /// <summary>This grid with <paramref name="other"/>'s batch sizes and optimizers added (batch sizes ascending, new optimizers after the old).</summary>
    public BatchSweepGrid UnionWith(BatchSweepGrid other) => this with
    {
        BatchSizes = BatchSizes.Union(other.BatchSizes).Order().ToArray(),
        Optimizers = [.. Optimizers, .. other.Optimizers.Where(o => Optimizers.All(m => m.Label != o.Label))],
    };

    /// <summary>
    /// The learning rate of lr index <paramref name="index"/>: a grid point for 0 ≤ index &lt; n, else a point
    /// of the grid extended geometrically beyond an edge, exactly as <see cref="Tuning.InteriorLrSearch"/>
    /// extends it (each new point = outermost² / next-outermost), so an extended cell has one lr whichever
    /// code computes it. Index −1 is one step below the grid, n one step above.
    /// </summary>
    public double LrAt(int index)
    {
        var g = LearningRates;
        if (index >= 0 && index < g.Length) return g[index];
        if (g.Length < 2) throw new ArgumentException("A grid of one learning rate cannot be extended.");
        if (index < 0)
        {
            double a = g[0], b = g[1];
            for (int k = 0; k < -index; k++) (a, b) = (a * a / b, a);
            return a;
        }
        double hi = g[^1], lo = g[^2];
        for (int k = 0; k <= index - g.Length; k++) (hi, lo) = (hi * hi / lo, hi);
        return hi;
    }

    /// <summary>The lr index whose learning rate is <paramref name="lr"/> (relative tolerance 1e-9), searching up to <paramref name="maxExtensions"/> steps beyond each edge; null if none.</summary>
    public int? LrIndexOf(double lr, int maxExtensions)
    {
        for (int i = -maxExtensions; i < LearningRates.Length + maxExtensions; i++)
            if (Math.Abs(LrAt(i) - lr) <= 1e-9 * lr) return i;
        return null;
    }

    /// <summary>
    /// Parses <c>--lrs</c>: a comma-separated list (<c>1e-4,1e-3,1e-2</c>, sorted ascending) or log-spaced
    /// bounds <c>LO:HI:N</c> (N points from LO to HI, numpy.logspace of the exponents).
    /// </summary>
    public static double[] ParseLrs(string text)
    {
        var inv = CultureInfo.InvariantCulture;
        string Bad(string why) => $"--lrs '{text}': {why}; give a list like 1e-4,1e-3,1e-2 or bounds like 1e-4:1:20.";
        double Num(string s) => double.TryParse(s, NumberStyles.Float, inv, out double v) && v > 0 && double.IsFinite(v) ? v : throw new ArgumentException(Bad($"'{s}' is not a positive number"));
        var bounds = text.Split(':');
        if (bounds.Length == 3)
        {
            double lo = Num(bounds[0]), hi = Num(bounds[1]);
            if (!int.TryParse(bounds[2], NumberStyles.None, inv, out int n) || n < 1) throw new ArgumentException(Bad($"'{bounds[2]}' is not a count ≥ 1"));
            if (!(hi > lo) && n > 1) throw new ArgumentException(Bad("the upper bound must exceed the lower"));
            return LogSpace(Math.Log10(lo), Math.Log10(hi), n);
        }
        if (bounds.Length != 1) throw new ArgumentException(Bad("use LO:HI:N for bounds"));
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Num).Order().ToArray();
        if (list.Length == 0) throw new ArgumentException(Bad("no learning rate given"));
        if (list.Distinct().Count() != list.Length) throw new ArgumentException(Bad("a learning rate appears twice"));
        return list;
    }

    /// <summary>Parses <c>--batches</c>: comma-separated sizes ≥ 2, or <c>2^A..2^B</c> for the powers of two between.</summary>
    public static int[] ParseBatches(string text)
    {
        string Bad(string why) => $"--batches '{text}': {why}; give a list like 2,4,8 or a range like 2^1..2^6.";
        var range = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^2\^(\d+)\.\.2\^(\d+)$");
        if (range.Success)
        {
            int a = int.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture), b = int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture);
            if (a < 1 || b > 24 || b < a) throw new ArgumentException(Bad("the exponents must satisfy 1 ≤ A ≤ B ≤ 24"));
            return Enumerable.Range(a, b - a + 1).Select(k => 1 << k).ToArray();
        }
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 2 ? v : throw new ArgumentException(Bad($"'{s}' is not a batch size ≥ 2")))
            .Distinct().Order().ToArray();
        return list.Length > 0 ? list : throw new ArgumentException(Bad("no batch size given"));
    }

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Identifies one run of a sweep.</summary>
public readonly record struct SweepCellKey(string Optimizer, int Batch, int LrIndex, int Replicate)
{
    public override string ToString() => $"{Optimizer} batch {Batch} lr#{LrIndex} rep {Replicate}";
}
