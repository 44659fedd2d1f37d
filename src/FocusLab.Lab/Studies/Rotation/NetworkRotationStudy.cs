using System.Diagnostics;
using System.Globalization;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Rotations;
using FocusLab.Lab.Studies.Sharpness;
using FocusLab.Lab.Tuning;
using FocusLab.Optim.Schedules;
using FocusLab.Optim;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>
/// The network rotation study of Xie et al. (docs/equations.md#network-rotation-study): the optimizer keeps its state in x and the model's
/// parameters are y = Rx; the minibatch gradient is Rᵀ∇L(y). sgd and adasgd (one second-moment scalar for
/// the whole vector, ‖Rᵀg‖ = ‖g‖) are rotation-equivariant and follow the same path; adam is not. The runs
/// follow the paper's regime: warm-up + cosine schedule and global-norm clipping (both rotation-invariant, so
/// the controls stay equivariant), several seeds, and each (optimizer, loss) at its own best lr from a grid
/// extended until that lr is interior (<see cref="InteriorLrSearch"/>: lowest mean final loss over seeds; a
/// diverged seed disqualifies an lr). The loss each optimizer sees has Hessian RᵀHR, whose ‖·‖₁,₁/d is estimated
/// with Cauchy probes at the checkpoints of the chosen runs, from the parameters stored there.
/// </summary>
public static class NetworkRotationStudy
{
    /// <summary>Mean of the last steps' minibatch losses: the "final loss" of a run.</summary>
    public const int FinalWindow = 20;

    public static NetworkRotationReport Run(NetworkRotationOptions options, Func<int, SharpnessTask> createTask, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createTask);
        options.Validate();
        var clock = Stopwatch.StartNew();
        long parameters = createTask(options.Seeds[0]).Model.ParameterCount;
        int d = checked((int)parameters);
        var shape = new TensorProductRotation(d, options.Rounds, options.Seeds[0]).Shape;

        // One interior-lr search per (optimizer, loss); the searches are independent and run in parallel, each with
        // its own rotations (TensorProductRotation is not thread-safe). Every run is deterministic, so the report does
        // not depend on how many ran at once.
        var searches = options.Optimizers.SelectMany(o => new[] { false, true }.Select(rotated => (o.Name, o.Spec, Rotated: rotated))).ToArray();
        var outcomes = new (LrSearchResult Search, List<(NetworkRotationRun Run, List<(int Step, float[] X)> States)> Runs)[searches.Length];
        // Rotated runs cost several times the original ones (R and Rᵀ every step): they are handed out first, one
        // search at a time, so the cores finish together.
        var order = Enumerable.Range(0, searches.Length).OrderByDescending(i => searches[i].Rotated).ToArray();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(order, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ParallelRuns) }, i =>
        {
            var (name, spec, rotated) = searches[i];
            var rotations = new Dictionary<int, TensorProductRotation>();
            var runs = new List<(NetworkRotationRun, List<(int, float[])>)>();
            double baseLr = NetworkRotationOptions.BaseLearningRate(spec);
            var search = InteriorLrSearch.Run(options.LearningRateFactors.Order().Select(f => baseLr * f).ToArray(), lr => options.Seeds.Select(seed =>
            {
                var rotation = rotated ? Rotation(rotations, d, seed, options) : null;
                var trained = Train(createTask(seed), name, NetworkRotationOptions.WithLearningRate(spec, lr), lr, rotation, seed, options, progress);
                lock (runs) runs.Add(trained);
                return trained.Run.FinalLoss;
            }).ToArray(), options.MaxLrExtensions);
            string loss = rotated ? "rotated" : "original";
            progress?.Invoke(!double.IsFinite(search.Best.Mean) ? $"{name} on the {loss} loss diverged at every lr of the grid"
                : $"{name} on the {loss} loss: best lr {search.BestLr:G3} (mean final loss {search.Best.Mean:F4} ± {search.Best.Std:F4})" +
                  (search.Interior ? "" : "; still at the edge of the grid after the allowed extensions"));
            outcomes[i] = (search, runs);
        });

        var grids = searches.Select((s, i) => NetworkRotationLearningRates.From(s.Name, s.Rotated, outcomes[i].Search)).ToArray();
        var trainedRuns = outcomes.SelectMany(o => o.Runs).ToArray();
        var best = trainedRuns.Where(t => grids.Single(g => g.Optimizer == t.Run.Optimizer && g.Rotated == t.Run.Rotated).BestLearningRate == t.Run.LearningRate).ToArray();
        var measured = new NetworkRotationCheckpoint[best.Length][];
        Parallel.For(0, best.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ParallelRuns) }, i =>
        {
            var (run, states) = best[i];
            var rotations = new Dictionary<int, TensorProductRotation>();
            measured[i] = states.Select(state =>
            {
                progress?.Invoke($"{run.Optimizer} on the {(run.Rotated ? "rotated" : "original")} loss (seed {run.Seed}, lr {run.LearningRate:G3}), step {state.Step}: estimating ‖H‖₁,₁/d with {options.EstimatorSamples} Cauchy probes");
                var task = createTask(run.Seed);
                var rotation = run.Rotated ? Rotation(rotations, d, run.Seed, options) : null;
                var xd = new double[d];
                SetModel(task.Model, state.X, xd, new double[d], rotation);
                return Measure(task, rotation, xd, state.Step, options, run.Seed);
            }).ToArray();
        });
        var runs = trainedRuns.Select(t =>
        {
            int k = Array.FindIndex(best, b => ReferenceEquals(b.Run, t.Run));
            return t.Run with { Best = k >= 0, Checkpoints = k >= 0 ? measured[k] : [] };
        }).OrderBy(r => Array.FindIndex(searches, s => s.Name == r.Optimizer && s.Rotated == r.Rotated)).ThenBy(r => r.LearningRate).ThenBy(r => r.Seed).ToArray();
        return new NetworkRotationReport(options, parameters, shape, runs, Claims(runs.Where(r => r.Best).ToList(), grids, options), clock.Elapsed.TotalSeconds, grids);
    }

    private static TensorProductRotation Rotation(Dictionary<int, TensorProductRotation> cache, int d, int seed, NetworkRotationOptions options)
    {
        // The searches already run one per core: each rotation stays on its search's thread.
        if (!cache.TryGetValue(seed, out var r)) cache[seed] = r = new TensorProductRotation(d, options.Rounds, seed) { Threads = options.ParallelRuns > 1 ? 1 : Environment.ProcessorCount };
        return r;
    }

    /// <summary>
    /// Trains one run; a non-finite loss ends it as diverged (NaN losses from there, NaN final loss). The optimizer
    /// steps x (one flat tensor unless <paramref name="build"/> makes it from the x and gradient arrays, e.g. as the
    /// model's tensor shapes for muon); the model sees y = Rx. <paramref name="loss"/> names the loss in messages.
    /// </summary>
    internal static (NetworkRotationRun Run, List<(int Step, float[] X)> States) Train(SharpnessTask task, string name, string spec, double lr, IRotation? rotation, int seed,
        NetworkRotationOptions options, Action<string>? progress, Func<float[], float[], Optimizer>? build = null, string? loss = null)
    {
        var model = task.Model;
        int d = checked((int)model.ParameterCount);
        var y = new double[d];
        var gy = new double[d];
        var gx = new double[d];
        var xd = new double[d];
        model.GatherValues<double>(y);
        if (rotation is null) y.CopyTo(xd, 0); else rotation.ApplyTranspose(y, xd); // x₀ = Rᵀy₀: the same starting network
        var x = new float[d];
        var grad = new float[d];
        for (int i = 0; i < d; i++) x[i] = (float)xd[i];
        var optimizer = build?.Invoke(x, grad) ?? OptimizerFactory.Create(spec, [new Parameter("x", [d], x, grad)]);
        var parameter = optimizer.Parameters;
        // Warm-up + cosine and global-norm clipping, both functions of ‖g‖ and the step count only: rotation-invariant.
        var scheduler = new LearningRateScheduler(optimizer, options.LearningRateSchedule());
        var losses = new double[options.Steps];
        Array.Fill(losses, double.NaN);
        var states = new List<(int, float[])>();
        var measureAt = new HashSet<int>(options.Checkpoints);
        string label = $"{name} (lr {lr:G3}) on the {loss ?? (rotation is null ? "original" : "rotated")} loss (seed {seed})";
        bool diverged = false;
        for (int k = 1; k <= options.Steps; k++)
        {
            SetModel(model, x, xd, y, rotation);
            losses[k - 1] = task.ForwardBackward();
            if (!double.IsFinite(losses[k - 1]))
            {
                progress?.Invoke($"{label} diverged at step {k}");
                diverged = true;
                break;
            }
            model.GatherGradients<double>(gy);
            if (rotation is null) gy.CopyTo(gx, 0); else rotation.ApplyTranspose(gy, gx);
            for (int i = 0; i < d; i++) grad[i] = (float)gx[i];
            if (options.ClipNorm > 0) GlobalNormClipping.Clip(parameter, options.ClipNorm);
            scheduler.Apply();
            optimizer.Step();
            if (measureAt.Contains(k)) states.Add((k, (float[])x.Clone()));
        }
        double final = diverged ? double.NaN : losses.TakeLast(Math.Min(FinalWindow, losses.Length)).Average();
        if (!diverged) progress?.Invoke($"{label}: final loss {final:F4}");
        return (new NetworkRotationRun(name, spec, rotation is not null, seed, losses, final, [], lr), states);
    }

    internal static NetworkRotationCheckpoint Measure(SharpnessTask task, IRotation? rotation, double[] x, int step, NetworkRotationOptions options, int seed)
    {
        var (loss, hessian, point) = MeasurementLoss(task, rotation, x);
        var e = CauchyL11Estimator.Estimate(hessian, point, options.EstimatorSamples, seed);
        return new NetworkRotationCheckpoint(step, loss.Loss(point), e.IqrPerDimension, e.MedianPerDimension, e.RelativeErrorPerRow);
    }

    /// <summary>
    /// The loss the optimizer trained on, on the task's measurement batch, with its HVPs and the point x the optimizer
    /// holds: L(y) at the model's parameters, or L(Rx) (Hessian RᵀHR) at <paramref name="x"/>. The model must hold y = Rx.
    /// </summary>
    internal static (IObjective Loss, IHessianOperator Hessian, double[] Point) MeasurementLoss(SharpnessTask task, IRotation? rotation, double[] x)
    {
        var objective = new ModelObjective(task.MeasurementLoss());
        if (rotation is null) return (objective, objective, objective.CheckpointPoint());
        var rotated = new RotatedObjective(objective, rotation);
        return (rotated, rotated, (double[])x.Clone());
    }

    /// <summary>y = Rx (or x) into the float32 model.</summary>
    internal static void SetModel(Module<float> model, float[] x, double[] xd, double[] y, IRotation? rotation)
    {
        for (int i = 0; i < x.Length; i++) xd[i] = x[i];
        if (rotation is null) xd.CopyTo(y, 0); else rotation.Apply(xd, y);
        model.ScatterValues<double>(y);
    }


    /// <summary>The paper the claims come from.</summary>
    public const string Paper = "Xie, Mohamadi & Li, \"Adam exploits ℓ∞-geometry of loss landscape via coordinate-wise adaptivity\"";

    /// <summary>Relative change of the final loss below which a control counts as unchanged by the rotation.</summary>
    public const double Unchanged = 0.01;

    /// <summary>
    /// Xie et al.'s claims on the runs at each (optimizer, loss)'s best lr. The per-seed differences rotated − original of
    /// the final loss (same seed: same initial network and data order) give a mean ± spread (sample standard deviation);
    /// "adam is slower" needs a mean above 1% of the original loss and above its spread. A verdict that rests on a best lr
    /// still at the edge of its grid is not testable here. The ‖H‖₁,₁/d claim compares the rotated and original estimates per
    /// seed and checkpoint.
    /// </summary>
    internal static PaperClaim[] Claims(IReadOnlyList<NetworkRotationRun> runs, IReadOnlyList<NetworkRotationLearningRates>? grids = null, NetworkRotationOptions? options = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var claims = new List<PaperClaim>();
        var differences = options is null ? [] : ProtocolDifferences(options);
        foreach (var o in runs.Select(r => r.Optimizer).Distinct())
        {
            var pairs = runs.Where(r => r.Optimizer == o && !r.Rotated)
                .Select(a => (A: a.FinalLoss, B: runs.FirstOrDefault(b => b.Optimizer == o && b.Rotated && b.Seed == a.Seed)?.FinalLoss ?? double.NaN))
                .Where(p => double.IsFinite(p.A) && double.IsFinite(p.B)).ToArray();
            if (pairs.Length == 0) continue;
            double a = pairs.Average(p => p.A), b = pairs.Average(p => p.B);
            var diff = pairs.Select(p => p.B - p.A).ToArray();
            double mean = diff.Average(), spread = diff.Length > 1 ? Math.Sqrt(diff.Sum(x => (x - mean) * (x - mean)) / (diff.Length - 1)) : double.NaN;
            double change = Math.Round(100 * mean / a, 1) + 0.0; // + 0.0 turns −0 into 0, so no "-+0.0%"
            string lrs = grids is null ? "" : string.Join(", ", grids.Where(g => g.Optimizer == o).Select(g =>
                string.Create(inv, $"{(g.Rotated ? "rotated" : "original")} lr {g.BestLearningRate:G3}{(g.AtEdge ? " (at the grid's edge)" : "")}")));
            string evidence = string.Create(inv, $"final loss (mean of the last {FinalWindow} steps) over {pairs.Length} seed(s): original {a:G4}, rotated {b:G4}; rotated − original = {mean:G3} ± {spread:G2} ({change:+0.0;-0.0;+0.0}%)") +
                (lrs.Length > 0 ? $"; best {lrs}" : "");
            bool edge = grids is not null && grids.Any(g => g.Optimizer == o && g.AtEdge);
            PaperClaim claim;
            if (o == "adam")
                claim = new("adam trains slower on the rotated loss (final loss higher by more than 1% and by more than the seeds' spread)",
                    mean > Unchanged * a && (double.IsNaN(spread) || mean > spread), evidence);
            else if (o is "sgd" or "adasgd")
                claim = new($"{o} is rotation-equivariant: its final loss is unchanged by the rotation (within 1%)", Math.Abs(mean) <= Unchanged * Math.Abs(a), evidence);
            else continue;
            if (pairs.Length < 3 && o == "adam") claim = claim with { ProtocolDifferences = ["fewer than 3 seeds: no spread to compare against"] };
            if (edge) claim = claim with { Outcome = ClaimOutcome.NotTestableAtThisScale, Reason = "a best learning rate is still at the edge of its grid after the allowed extensions" };
            claims.Add(claim);
        }
        var ratios = new List<double>();
        foreach (var rot in runs.Where(r => r.Rotated))
        {
            var orig = runs.FirstOrDefault(r => !r.Rotated && r.Optimizer == rot.Optimizer && r.Seed == rot.Seed);
            if (orig is null) continue;
            foreach (var c in rot.Checkpoints)
                if (orig.Checkpoints.FirstOrDefault(p => p.Step == c.Step) is { } oc && oc.L11IqrPerDimension > 0)
                    ratios.Add(c.L11IqrPerDimension / oc.L11IqrPerDimension);
        }
        if (ratios.Count > 0)
        {
            double m = SharpnessStudy.Median(ratios);
            claims.Add(new("‖H‖₁,₁/d is larger for the rotated loss (the ℓ∞-smoothness adam exploits is lost)", m > 1,
                string.Create(inv, $"median ratio rotated/original of the IQR estimate = {m:G4} over {ratios.Count} checkpoints (range {ratios.Min():G3}–{ratios.Max():G3})")));
        }
        return claims.Select(c => c with { Paper = Paper, ProtocolDifferences = [.. differences, .. c.ProtocolDifferences] }).ToArray();
    }

    /// <summary>How this run's protocol differs from the paper's (GPT-2 small trained to convergence).</summary>
    internal static string[] ProtocolDifferences(NetworkRotationOptions o)
    {
        var list = new List<string>
        {
            o.Model == "gpt"
                ? $"a byte-level GPT ({o.Gpt.Layers} layer(s), width {o.Gpt.Embedding}) on 2.6 MB of text for {o.Steps} steps, not GPT-2 (124M) on OpenWebText trained to convergence"
                : $"an MLP on Fashion-MNIST for {o.Steps} steps (the paper: GPT-2 and ResNet trained to convergence)",
            $"{o.Seeds.Length} seed(s); lr grid ×{string.Join("/", o.LearningRateFactors)} of each optimizer's default, extended up to {o.MaxLrExtensions} step(s) per side",
            $"rotation: {o.Rounds} round(s) of permute → reshape (a, b, c) → orthogonal per axis",
        };
        if (o.Schedule != RotationSchedule.WarmupCosine) list.Add("constant learning rate (the paper: warm-up + cosine)");
        if (o.ClipNorm <= 0) list.Add("no gradient clipping (the paper: global norm 1)");
        return list.ToArray();
    }
}
