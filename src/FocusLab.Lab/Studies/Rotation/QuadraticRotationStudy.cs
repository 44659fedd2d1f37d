using System.Diagnostics;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>Settings of the quadratic rotation study (Xie et al., "Adam exploits ℓ∞-geometry of loss landscape via coordinate-wise adaptivity").</summary>
public sealed record QuadraticRotationOptions
{
    public int Dimension { get; init; } = 100;
    /// <summary>Eigenvalues are logspace(log10 Max, log10 Min, d): a fixed spectrum shared by every rotation.</summary>
    public double MaxEigenvalue { get; init; } = 1;
    public double MinEigenvalue { get; init; } = 1e-3;
    /// <summary>Rotation scales s of R = exp(sK); the study adds a Haar-random rotation after them when <see cref="IncludeRandom"/>.</summary>
    public double[] Scales { get; init; } = [0, 0.01, 0.03, 0.1, 0.3, 1];
    public bool IncludeRandom { get; init; } = true;
    /// <summary>Optimizer ids (or specs without lr, e.g. "adam:beta2=0.99"); the lr comes from the grid.</summary>
    public string[] Optimizers { get; init; } = ["adam", "adasgd", "sgd"];
    public double[] LearningRates { get; init; } = Enumerable.Range(0, 19).Select(i => Math.Pow(10, -4 + 0.25 * i)).ToArray();
    public int Steps { get; init; } = 200;
    public int[] Seeds { get; init; } = [0, 1, 2];
    /// <summary>Cauchy probes for the ‖H‖₁,₁ estimator (exact values are reported alongside).</summary>
    public int EstimatorSamples { get; init; } = 400;
    /// <summary>Worker threads over independent runs (results do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public void Validate()
    {
        if (Dimension < 2 || Dimension > 2000) throw new ArgumentException($"Dimension (--dim) is {Dimension}; it must be between 2 and 2000 (the rotations are materialised).");
        if (!(MaxEigenvalue > 0) || !(MinEigenvalue > 0) || MinEigenvalue > MaxEigenvalue)
            throw new ArgumentException($"Eigenvalues must satisfy 0 < min ≤ max (got min {MinEigenvalue}, max {MaxEigenvalue}).");
        if (Scales.Length == 0 && !IncludeRandom) throw new ArgumentException("Give at least one rotation scale or include the random rotation.");
        if (Scales.Any(s => !double.IsFinite(s) || s < 0)) throw new ArgumentException("Rotation scales must be finite and ≥ 0.");
        if (Optimizers.Length == 0) throw new ArgumentException("Give at least one optimizer.");
        foreach (var o in Optimizers)
            if (o.Contains("lr=", StringComparison.Ordinal)) throw new ArgumentException($"Optimizer '{o}' sets lr; the study picks lr from the grid — remove it.");
        if (LearningRates.Length == 0 || LearningRates.Any(l => !(l > 0) || !double.IsFinite(l))) throw new ArgumentException("Learning rates must be positive and finite, at least one.");
        if (Steps < 1) throw new ArgumentException($"Steps (--steps) is {Steps}; it must be at least 1.");
        if (Seeds.Length == 0) throw new ArgumentException("Give at least one seed.");
        if (EstimatorSamples < 8) throw new ArgumentException($"EstimatorSamples (--samples) is {EstimatorSamples}; it must be at least 8.");
        if (Threads < 1) throw new ArgumentException($"Threads is {Threads}; it must be at least 1.");
    }
}

/// <summary>One optimizer's result on one rotation: the best lr (lowest mean final loss over seeds) and its losses.</summary>
public sealed record OptimizerOutcome(string Optimizer, double BestLearningRate, double FinalLoss, double[] FinalLossPerSeed, double[] MeanLossCurve, double[] MeanFinalLossPerLearningRate);

/// <summary>One rotation of the study: geometry (means over seeds) and each optimizer's outcome.</summary>
public sealed record RotationRow(
    string Rotation,
    double? Scale,
    double L11PerDimension,
    double L11IqrEstimatePerDimension,
    double L11MedianEstimatePerDimension,
    double EstimatorRelativeErrorPerRow,
    double SpectralNorm,
    double SpectralNormLanczos,
    bool LanczosConverged,
    double InitialLoss,
    OptimizerOutcome[] Outcomes);

public sealed record QuadraticRotationReport(QuadraticRotationOptions Options, double[] Eigenvalues, RotationRow[] Rows, PaperClaim[] Claims, double ElapsedSeconds);

/// <summary>
/// The quadratic study of Xie et al. (docs/equations.md#quadratic-rotation-study): f(x) = ½(Rx)ᵀΛ(Rx)
/// with a fixed diagonal spectrum Λ and
/// rotations R = exp(sK), K = (A − Aᵀ)/2 for a Gaussian A (s = 0: none; larger s: closer to random), plus
/// a Haar-random R. Each optimizer runs from x₀ = Rᵀy₀ (y₀ ~ N(0, I) per seed, so every rotation starts at
/// the same loss) with each lr of a grid; its best lr minimises the mean final loss over seeds. Reported per
/// rotation: ‖H‖₁,₁/d of H = RᵀΛR (exact and by the Cauchy estimator), the spectral norm (exact max λ, and
/// Lanczos), and the final losses. The paper's claims: adam slows down as ‖H‖₁,₁ grows with rotation, sgd
/// is rotation-invariant.
/// </summary>
public static class QuadraticRotationStudy
{
    public static double[] Spectrum(QuadraticRotationOptions o)
    {
        double hi = Math.Log10(o.MaxEigenvalue), lo = Math.Log10(o.MinEigenvalue);
        return Enumerable.Range(0, o.Dimension).Select(i => Math.Pow(10, hi + (lo - hi) * i / (o.Dimension - 1))).ToArray();
    }

    /// <summary>R for one rotation setting and seed: exp(sK) (s ≥ 0) or Haar-random (s = null).</summary>
    public static double[] RotationMatrix(double? scale, int dimension, int seed) =>
        scale is { } s
            ? OrthogonalMatrices.ExpSkew(OrthogonalMatrices.RandomSkew(dimension, 1_000_003 + seed), dimension, s)
            : OrthogonalMatrices.RandomHaar(dimension, 2_000_003 + seed);

    /// <summary>H = RᵀΛR, symmetrised against rounding.</summary>
    public static MatrixHessian RotatedHessian(double[] r, double[] eigenvalues)
    {
        int n = eigenvalues.Length;
        var h = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += r[k * n + i] * eigenvalues[k] * r[k * n + j];
                h[i * n + j] = h[j * n + i] = s;
            }
        return new MatrixHessian(h, n);
    }

    public static QuadraticRotationReport Run(QuadraticRotationOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        foreach (var o in options.Optimizers) Optim.OptimizerFactory.Parse(o); // unknown ids fail before any work
        var clock = Stopwatch.StartNew();
        int d = options.Dimension;
        var lambda = Spectrum(options);
        double?[] scales = [.. options.Scales.Select(s => (double?)s), .. options.IncludeRandom ? new double?[] { null } : []];
        int nr = scales.Length, ns = options.Seeds.Length, no = options.Optimizers.Length, nl = options.LearningRates.Length;

        // Geometry per (rotation, seed).
        var problems = new (QuadraticObjective Objective, double[] Start, double L11, L11Estimate Estimate, LanczosResult Lanczos)[nr, ns];
        Parallel.For(0, nr * ns, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, idx =>
        {
            int ri = idx / ns, si = idx % ns;
            int seed = options.Seeds[si];
            var r = RotationMatrix(scales[ri], d, seed);
            var h = RotatedHessian(r, lambda);
            var y0 = SliceDirections.Gaussian(d, 3_000_003 + seed);
            var x0 = new double[d];
            new DenseRotation(r, d).ApplyTranspose(y0, x0);
            var zero = new double[d];
            problems[ri, si] = (new QuadraticObjective(h), x0, h.L11Norm(),
                CauchyL11Estimator.Estimate(h, zero, options.EstimatorSamples, seed: 4_000_003 + seed),
                Lanczos.Run(h, zero, new LanczosOptions { Seed = seed, Tolerance = 1e-8 }));
        });
        progress?.Invoke($"built {nr} rotations × {ns} seeds in {clock.Elapsed.TotalSeconds:F1} s");

        // Every (rotation, seed, optimizer, lr) run is independent; results land in fixed slots (deterministic).
        var runs = new TrainingRun[nr, ns, no, nl];
        int total = nr * ns * no * nl, done = 0;
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, idx =>
        {
            int li = idx % nl, oi = idx / nl % no, si = idx / nl / no % ns, ri = idx / nl / no / ns;
            var p = problems[ri, si];
            runs[ri, si, oi, li] = ObjectiveTraining.Run(p.Objective, p.Start, Spec(options.Optimizers[oi], options.LearningRates[li]), options.Steps);
            int n = Interlocked.Increment(ref done);
            if (progress is not null && n % Math.Max(1, total / 10) == 0) progress($"{n}/{total} runs");
        });

        var rows = new RotationRow[nr];
        for (int ri = 0; ri < nr; ri++)
        {
            var outcomes = new OptimizerOutcome[no];
            for (int oi = 0; oi < no; oi++)
            {
                var meanFinal = new double[nl];
                for (int li = 0; li < nl; li++)
                {
                    double s = 0;
                    for (int si = 0; si < ns; si++)
                        s += runs[ri, si, oi, li] is { Diverged: false } run ? run.FinalLoss : double.PositiveInfinity;
                    meanFinal[li] = s / ns;
                }
                int best = 0;
                for (int li = 1; li < nl; li++) if (meanFinal[li] < meanFinal[best]) best = li;
                var curve = new double[options.Steps + 1];
                var perSeed = new double[ns];
                for (int si = 0; si < ns; si++)
                {
                    var run = runs[ri, si, oi, best];
                    perSeed[si] = run.Diverged ? double.PositiveInfinity : run.FinalLoss;
                    for (int t = 0; t < curve.Length; t++) curve[t] += (t < run.Losses.Length ? run.Losses[t] : double.PositiveInfinity) / ns;
                }
                bool any = double.IsFinite(meanFinal[best]);
                outcomes[oi] = new(options.Optimizers[oi], any ? options.LearningRates[best] : double.NaN, meanFinal[best], perSeed, curve, meanFinal);
            }
            double Mean(Func<int, double> f) => Enumerable.Range(0, ns).Average(f);
            rows[ri] = new RotationRow(
                scales[ri] is { } sc ? $"s={sc:G4}" : "random",
                scales[ri],
                Mean(si => problems[ri, si].L11) / d,
                Mean(si => problems[ri, si].Estimate.IqrPerDimension),
                Mean(si => problems[ri, si].Estimate.MedianPerDimension),
                problems[ri, 0].Estimate.RelativeErrorPerRow,
                lambda.Max(),
                Mean(si => problems[ri, si].Lanczos.SpectralNorm),
                Enumerable.Range(0, ns).All(si => problems[ri, si].Lanczos.Converged),
                Mean(si => problems[ri, si].Objective.Loss(problems[ri, si].Start)),
                outcomes);
        }
        var claims = CheckClaims(rows, options);
        return new QuadraticRotationReport(options, lambda, rows, claims, clock.Elapsed.TotalSeconds);
    }

    private static string Spec(string optimizer, double lr) =>
        optimizer.Contains(':') ? $"{optimizer},lr={lr:R}" : $"{optimizer}:lr={lr:R}";

    /// <summary>
    /// The paper's claims as tests on this run (thresholds stated in the evidence): adam's loss grows with
    /// rotation (Kendall τ of loss against rotation order ≥ 0.5 and most-rotated/unrotated ≥ 1.5); sgd's stays
    /// constant (every rotation within 5% of the unrotated loss); ‖H‖₁,₁/d tracks adam's loss (τ ≥ 0.5).
    /// </summary>
    private static PaperClaim[] CheckClaims(RotationRow[] rows, QuadraticRotationOptions o)
    {
        var claims = new List<PaperClaim>();
        double[] order = Enumerable.Range(0, rows.Length).Select(i => (double)i).ToArray();
        double[]? Losses(string id)
        {
            int k = Array.FindIndex(o.Optimizers, x => x == id || x.StartsWith(id + ":", StringComparison.Ordinal));
            return k < 0 ? null : rows.Select(r => r.Outcomes[k].FinalLoss).ToArray();
        }
        var l11 = rows.Select(r => r.L11PerDimension).ToArray();
        claims.Add(new("‖H‖₁,₁/d grows with rotation", KendallTau(order, l11) >= 0.5,
            $"‖H‖₁,₁/d from {l11[0]:G4} ({rows[0].Rotation}) to {l11[^1]:G4} ({rows[^1].Rotation}); Kendall τ vs rotation order = {KendallTau(order, l11):F2} (threshold 0.5)."));
        if (Losses("adam") is { } adam)
        {
            double tau = KendallTau(order, adam), ratio = adam[^1] / adam[0];
            claims.Add(new("adam's loss grows with rotation", tau >= 0.5 && ratio >= 1.5,
                $"adam final loss {adam[0]:G4} ({rows[0].Rotation}) → {adam[^1]:G4} ({rows[^1].Rotation}), ratio {ratio:G4} (threshold 1.5); Kendall τ = {tau:F2} (threshold 0.5)."));
            double t2 = KendallTau(l11, adam);
            claims.Add(new("‖H‖₁,₁/d tracks adam's loss", t2 >= 0.5, $"Kendall τ between ‖H‖₁,₁/d and adam's final loss = {t2:F2} (threshold 0.5)."));
        }
        if (Losses("sgd") is { } sgd)
        {
            double dev = sgd.Max(v => Math.Abs(v / sgd[0] - 1));
            claims.Add(new("sgd's loss is constant under rotation", dev <= 0.05,
                $"sgd final loss {sgd.Min():G6} … {sgd.Max():G6}; largest relative deviation from the unrotated run {dev:P2} (threshold 5%)."));
        }
        return [.. claims];
    }

    /// <summary>Kendall's τ-a between two equally long sequences (ties count zero).</summary>
    public static double KendallTau(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n = a.Count;
        if (n < 2) return 0;
        double s = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) s += Math.Sign(a[j] - a[i]) * Math.Sign(b[j] - b[i]);
        return s / (n * (n - 1) / 2.0);
    }
}
