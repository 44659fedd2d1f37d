using System.Collections.Concurrent;
using System.Diagnostics;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;
using FocusLab.Lab.Studies.Rotation;
using FocusLab.Lab.Studies.Sharpness;
using FocusLab.Lab.Tuning;
using FocusLab.Optim;

namespace FocusLab.Lab.Studies.Geometry;

/// <summary>
/// "Which geometry does each optimizer exploit?" (docs/equations.md#network-rotation-study, #muon). Each optimizer trains
/// the same model on three versions of one loss: the original L(y); the coordinate-rotated L(Rx) of Xie et al. (R rotates
/// the whole flat parameter vector); and the matrix-rotated loss, every weight matrix reparametrised W = U·W'·Vᵀ with fixed
/// Haar U, V (<see cref="MatrixBlockRotation"/>). The optimizer keeps its state in x (shaped like the model's tensors, so
/// muon sees matrices) and the model sees y = Rx. Predictions: sgd (ℓ2 steepest descent) is equivariant under both
/// rotations; muon (spectral-norm steepest descent: msign(U·M·Vᵀ) = U·msign(M)·Vᵀ) under the matrix rotation only; adam,
/// signum and focus (ℓ∞, coordinate-wise) under neither. Each (optimizer, loss) gets its own interior lr
/// (<see cref="InteriorLrSearch"/>, the network rotation study's regime: warm-up + cosine, global-norm clipping, seeds),
/// and the chosen runs are probed at their last step for ‖H‖₁,₁/d, the spectral smoothness and λ_max of the loss version
/// they trained on.
/// </summary>
public static class GeometryStudy
{
    /// <summary>Relative change of the final loss within which an optimizer counts as unchanged by a rotation (the rotation study's 1%).</summary>
    public const double Unchanged = NetworkRotationStudy.Unchanged;

    /// <summary>Runs the study; <paramref name="createTask"/> builds the model and data of one seed (same seed: same initial network and batches).</summary>
    public static GeometryStudyReport Run(GeometryStudyOptions options, Func<int, SharpnessTask> createTask, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createTask);
        options.Validate();
        var net = options.Network;
        var clock = Stopwatch.StartNew();
        var reference = createTask(net.Seeds[0]).Model;
        int d = checked((int)reference.ParameterCount);
        var matrices = MatrixBlockRotation.MuonMatrices(reference);
        if (options.Losses.Contains(LossVersion.Matrix) && matrices.Length == 0)
            throw new ArgumentException("The model has no weight matrix for the matrix rotation; use a model with hidden layers or leave out --losses matrix.");

        var searches = net.Optimizers.SelectMany(o => options.Losses.Select(l => (o.Name, o.Spec, Loss: l))).ToArray();
        var outcomes = new (LrSearchResult Search, List<(NetworkRotationRun Run, List<(int Step, float[] X)> States)> Runs)[searches.Length];
        // Rotated runs cost more (R and Rᵀ every step): handed out first so the cores finish together. Every run is
        // deterministic, so the report does not depend on how many run at once.
        var order = Enumerable.Range(0, searches.Length).OrderByDescending(i => Cost(searches[i].Loss)).ToArray();
        Parallel.ForEach(Partitioner.Create(order, EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = net.ParallelRuns }, i =>
        {
            var (name, spec, loss) = searches[i];
            var rotations = new Dictionary<int, IRotation?>();
            var runs = new List<(NetworkRotationRun, List<(int, float[])>)>();
            double baseLr = NetworkRotationOptions.BaseLearningRate(spec);
            var search = InteriorLrSearch.Run(net.LearningRateFactors.Order().Select(f => baseLr * f).ToArray(), lr => net.Seeds.Select(seed =>
            {
                if (!rotations.TryGetValue(seed, out var rotation)) rotations[seed] = rotation = Rotation(loss, d, matrices, seed, net);
                var task = createTask(seed);
                string runSpec = NetworkRotationOptions.WithLearningRate(spec, lr);
                var trained = NetworkRotationStudy.Train(task, name, runSpec, lr, rotation, seed, net, progress,
                    (x, grad) => CreateOptimizer(runSpec, task.Model, x, grad), GeometryStudyOptions.Name(loss));
                lock (runs) runs.Add(trained);
                return trained.Run.FinalLoss;
            }).ToArray(), net.MaxLrExtensions);
            progress?.Invoke(!double.IsFinite(search.Best.Mean) ? $"{name} on the {GeometryStudyOptions.Name(loss)} loss diverged at every lr of the grid"
                : $"{name} on the {GeometryStudyOptions.Name(loss)} loss: best lr {search.BestLr:G3} (mean final loss {search.Best.Mean:F4} ± {search.Best.Std:F4})" +
                  (search.Interior ? "" : "; still at the edge of the grid after the allowed extensions"));
            outcomes[i] = (search, runs);
        });

        var grids = searches.Select((s, i) => GeometryLearningRates.From(s.Name, GeometryStudyOptions.Name(s.Loss), outcomes[i].Search)).ToArray();
        var all = searches.SelectMany((s, i) => outcomes[i].Runs.Select(r => (s.Loss, r.Run, r.States))).ToArray();
        var best = all.Where(t => grids.Single(g => g.Optimizer == t.Run.Optimizer && g.Loss == GeometryStudyOptions.Name(t.Loss)).BestLearningRate == t.Run.LearningRate).ToArray();
        var measured = new GeometryMeasure?[best.Length];
        Parallel.For(0, best.Length, new ParallelOptions { MaxDegreeOfParallelism = net.ParallelRuns }, i =>
        {
            var (loss, run, states) = best[i];
            if (run.Diverged || states.Count == 0) return;
            var (step, x) = states[^1];
            progress?.Invoke($"{run.Optimizer} on the {GeometryStudyOptions.Name(loss)} loss (seed {run.Seed}, lr {run.LearningRate:G3}), step {step}: ‖H‖₁,₁/d, spectral smoothness, λmax");
            measured[i] = Measure(createTask(run.Seed), Rotation(loss, d, matrices, run.Seed, net), x, step, matrices, options, run.Seed);
        });
        var runs = all.Select(t =>
        {
            int k = Array.FindIndex(best, b => ReferenceEquals(b.Run, t.Run));
            return new GeometryRun(t.Run.Optimizer, t.Run.Spec, GeometryStudyOptions.Name(t.Loss), t.Run.Seed, t.Run.LearningRate, k >= 0, t.Run.Losses, t.Run.FinalLoss, k >= 0 ? measured[k] : null);
        }).OrderBy(r => Array.FindIndex(searches, s => s.Name == r.Optimizer && GeometryStudyOptions.Name(s.Loss) == r.Loss)).ThenBy(r => r.LearningRate).ThenBy(r => r.Seed).ToArray();
        return new GeometryStudyReport(options, d, matrices, runs, grids, Compare(runs, grids), clock.Elapsed.TotalSeconds);
    }

    private static int Cost(LossVersion v) => v switch { LossVersion.Coordinate => 2, LossVersion.Matrix => 1, _ => 0 };

    /// <summary>The rotation of a loss version (null for the original), seeded like the run.</summary>
    private static IRotation? Rotation(LossVersion loss, int d, MatrixBlock[] matrices, int seed, NetworkRotationOptions net) => loss switch
    {
        LossVersion.Coordinate => new TensorProductRotation(d, net.Rounds, seed) { Threads = net.ParallelRuns > 1 ? 1 : Environment.ProcessorCount },
        LossVersion.Matrix => new MatrixBlockRotation(d, matrices, seed),
        _ => null,
    };

    /// <summary>
    /// The optimizer of <paramref name="spec"/> over x, viewed as the model's tensors (same names and shapes; x and the
    /// gradient are the flat vectors the study rotates). Muon gets its matrices (<see cref="MatrixBlockRotation.MuonMatrices"/>)
    /// and the auxiliary optimizer every other tensor (embeddings and output head included: <c>use_muon=false</c>); every
    /// other optimizer gets one group, so its spec's settings apply to every tensor as in the rotation study.
    /// </summary>
    public static Optimizer CreateOptimizer(string spec, Module<float> model, float[] x, float[] grad)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (id, _) = OptimizerFactory.Parse(spec);
        var matrixOffsets = MatrixBlockRotation.MuonMatrices(model).Select(b => b.Offset).ToHashSet();
        var views = new List<(Parameter View, bool Matrix)>();
        int offset = 0;
        foreach (var p in model.Parameters)
        {
            views.Add((new Parameter(p.Name, p.Shape, x.AsMemory(offset, p.Length), grad.AsMemory(offset, p.Length)), matrixOffsets.Contains(offset)));
            offset += p.Length;
        }
        if (offset != x.Length || offset != grad.Length)
            throw new ArgumentException($"x has {x.Length} entries and the gradient {grad.Length}, but the model has {offset} parameters; they must match.");
        if (id != "muon") return OptimizerFactory.Create(spec, [new ParameterGroupSpec(views.Select(v => v.View))]);
        GemmMatrixMultiply.Install();
        var groups = new List<ParameterGroupSpec>();
        if (views.Any(v => v.Matrix)) groups.Add(new ParameterGroupSpec(views.Where(v => v.Matrix).Select(v => v.View), (Muon.UseMuonKey, true)));
        if (views.Any(v => !v.Matrix)) groups.Add(new ParameterGroupSpec(views.Where(v => !v.Matrix).Select(v => v.View), (Muon.UseMuonKey, false)));
        return OptimizerFactory.Create(spec, groups);
    }

    /// <summary>‖H‖₁,₁/d, spectral smoothness and λmax of the loss version at the optimizer's point x.</summary>
    private static GeometryMeasure Measure(SharpnessTask task, IRotation? rotation, float[] x, int step, MatrixBlock[] matrices, GeometryStudyOptions options, int seed)
    {
        int d = x.Length;
        var xd = new double[d];
        NetworkRotationStudy.SetModel(task.Model, x, xd, new double[d], rotation);
        var l11 = NetworkRotationStudy.Measure(task, rotation, xd, step, options.Network, seed);
        var (_, hessian, point) = NetworkRotationStudy.MeasurementLoss(task, rotation, xd);
        var spectral = matrices.Length == 0 ? null : SpectralSmoothness.Estimate(hessian, point, matrices, options.SpectralStarts, options.SpectralIterations, seed);
        var lanczos = Lanczos.Run(hessian, point, new LanczosOptions { MaxIterations = options.LanczosIterations, Seed = seed });
        return new GeometryMeasure(step, l11.MeasureLoss, l11.L11IqrPerDimension, l11.L11MedianPerDimension,
            spectral?.Value ?? double.NaN, spectral?.PerStart ?? [], spectral?.History ?? [], lanczos.Largest.Value, lanczos.Largest.Converged);
    }

    /// <summary>What each geometry predicts for each rotation: "unchanged" where the optimizer's norm is invariant, else "hurt".</summary>
    public static string Prediction(string optimizer, LossVersion rotation) => (optimizer, rotation) switch
    {
        ("sgd", _) => "unchanged",
        ("muon", LossVersion.Matrix) => "unchanged",
        _ => "hurt",
    };

    /// <summary>
    /// Per optimizer and rotation, the per-seed differences rotated − original of the final loss at each loss's best lr.
    /// "unchanged" holds when |mean| ≤ 1% of the original; "hurt" when the mean exceeds 1% of the original and the
    /// seeds' spread. A best lr still at the edge of its grid makes the comparison not testable.
    /// </summary>
    public static GeometryComparison[] Compare(IReadOnlyList<GeometryRun> runs, IReadOnlyList<GeometryLearningRates> grids)
    {
        var best = runs.Where(r => r.Best).ToArray();
        var list = new List<GeometryComparison>();
        string original = GeometryStudyOptions.Name(LossVersion.Original);
        foreach (var o in best.Select(r => r.Optimizer).Distinct())
            foreach (var rotation in new[] { LossVersion.Coordinate, LossVersion.Matrix })
            {
                string name = GeometryStudyOptions.Name(rotation);
                var pairs = best.Where(r => r.Optimizer == o && r.Loss == original)
                    .Select(a => (A: a.FinalLoss, B: best.FirstOrDefault(b => b.Optimizer == o && b.Loss == name && b.Seed == a.Seed)?.FinalLoss ?? double.NaN))
                    .Where(p => double.IsFinite(p.A) && double.IsFinite(p.B)).ToArray();
                if (!best.Any(r => r.Optimizer == o && r.Loss == name)) continue;
                bool edge = grids.Any(g => g.Optimizer == o && (g.Loss == original || g.Loss == name) && g.AtEdge);
                string prediction = Prediction(o, rotation);
                if (pairs.Length == 0)
                {
                    list.Add(new(o, name, prediction, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, edge, Claims.ClaimVerdict.NotTestable));
                    continue;
                }
                double a = pairs.Average(p => p.A), b = pairs.Average(p => p.B);
                var diff = pairs.Select(p => p.B - p.A).ToArray();
                double mean = diff.Average();
                double spread = diff.Length > 1 ? Math.Sqrt(diff.Sum(x => (x - mean) * (x - mean)) / (diff.Length - 1)) : double.NaN;
                bool holds = prediction == "unchanged"
                    ? Math.Abs(mean) <= Unchanged * Math.Abs(a)
                    : mean > Unchanged * a && (double.IsNaN(spread) || mean > spread);
                string verdict = edge ? Claims.ClaimVerdict.NotTestable : holds ? Claims.ClaimVerdict.Reproduced : Claims.ClaimVerdict.NotReproduced;
                list.Add(new(o, name, prediction, a, b, mean, spread, 100 * mean / a, pairs.Length, edge, verdict));
            }
        return list.ToArray();
    }
}
