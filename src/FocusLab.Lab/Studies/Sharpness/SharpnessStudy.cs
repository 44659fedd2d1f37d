using System.Diagnostics;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.ModelLoss;
using FocusLab.Optim;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// Directional sharpness of optimizer updates along real training trajectories (Pan &amp; Li 2023, "Toward
/// understanding why Adam converges faster than SGD for transformers", section 4; docs/equations.md#sharpness-study): train with sgd
/// and with adam; at each checkpoint θ form every optimizer's pseudo-update u from the minibatch gradients of
/// the trajectory (moments accumulated over the whole run by default, or over the last <c>Window</c> steps; the
/// last gradient taken at θ), and measure on a fixed batch uᵀHu/‖u‖² (robust form when negative), its ratio to
/// sgd's, and the best loss reduction along u/‖u‖ by a bracketing line search at the direction's own step
/// scale. The checkpoint is never moved: the measurements go through <see cref="ModelObjective"/>, which
/// restores θ bit for bit.
/// </summary>
public static class SharpnessStudy
{
    /// <param name="createTask">Builds a fresh model and data stream for a seed (each trajectory starts from the same initialisation).</param>
    /// <param name="cancel">Checked before every training step; cancelling stops the study with <see cref="OperationCanceledException"/>
    /// (runs already finished stay in <paramref name="store"/>).</param>
    /// <param name="store">Where finished runs are kept and read back from (null: nothing is kept).</param>
    public static SharpnessReport Run(SharpnessStudyOptions options, Func<int, SharpnessTask> createTask, Action<string>? progress = null, CancellationToken cancel = default,
        SharpnessRunStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createTask);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var checkpoints = new List<SharpnessCheckpoint>();
        var curves = new List<SharpnessTrainingCurve>();
        long parameters = 0;
        var measureAt = new HashSet<int>(options.Checkpoints);
        var specs = options.Directions.Select(d => d.Spec).ToArray();
        var lineSearch = options.LineSearch;

        // Every (seed, trajectory) run is independent (a fresh model and data stream), so the runs go in
        // parallel, one per core; results are gathered in run order, and each run is deterministic for
        // any thread count, so the report does not depend on how many ran at once.
        var runs = options.Seeds.SelectMany(seed => options.Trajectories.Select(t => (Seed: seed, t.Name, t.Spec))).ToArray();
        var results = new SharpnessRunResult[runs.Length];
        try
        {
            Parallel.For(0, runs.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ParallelRuns) },
                i =>
                {
                    if (store?.TryLoad(runs[i].Name, runs[i].Seed) is { } done) { results[i] = done; return; }
                    var (c, curve, p) = Trajectory(runs[i].Seed, runs[i].Name, runs[i].Spec, createTask, options, measureAt, specs, lineSearch, progress, cancel);
                    results[i] = new SharpnessRunResult(c.ToArray(), curve, p);
                    store?.Save(runs[i].Name, runs[i].Seed, results[i]);
                });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the first failure itself (its message names the run), not the wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        foreach (var r in results)
        {
            checkpoints.AddRange(r.Checkpoints);
            curves.Add(r.Curve);
            parameters = r.Parameters;
        }
        var summary = Summarise(checkpoints, options);
        return new SharpnessReport(options, parameters, checkpoints.ToArray(), summary, SharpnessClaims.Check(checkpoints, options, parameters), curves.ToArray(), clock.Elapsed.TotalSeconds);
    }

    private static (List<SharpnessCheckpoint>, SharpnessTrainingCurve, long) Trajectory(int seed, string name, string spec, Func<int, SharpnessTask> createTask,
        SharpnessStudyOptions options, HashSet<int> measureAt, string[] specs, LineSearchOptions lineSearch, Action<string>? progress, CancellationToken cancel)
    {
        var checkpoints = new List<SharpnessCheckpoint>();
        var task = createTask(seed);
        var model = task.Model;
        long parameters = model.ParameterCount;
        int d = checked((int)parameters);
        var optimizer = OptimizerFactory.Create(spec, model.OptimParameterList());
        var losses = new double[options.Steps];
        // Moments over the whole trajectory (Pan & Li): one tracker per direction sees every gradient as it comes.
        // The window alternative keeps the last Window gradients and replays them at each checkpoint.
        bool wholeTrajectory = options.Moments == PseudoUpdateMoments.Trajectory;
        var layout = task.MeasurementLoss().Layout;
        var trackers = wholeTrajectory ? specs.Select(s => new PseudoUpdateTracker(s, layout)).ToArray() : [];
        var window = new Queue<double[]>();
        var theta32 = wholeTrajectory ? new float[d] : [];
        var g32 = wholeTrajectory ? new float[d] : [];
        // Iteration k computes the gradient at θ_{k−1}: a checkpoint "after c steps" is measured at iteration c + 1,
        // before the step, so the last gradient the pseudo-updates saw is taken at the checkpoint (Pan & Li).
        for (int k = 1; k <= options.Steps + 1; k++)
        {
            cancel.ThrowIfCancellationRequested();
            double loss = task.ForwardBackward();
            double[]? g = null;
            if (wholeTrajectory)
            {
                model.GatherGradients<float>(g32);
                foreach (float v in g32) if (!float.IsFinite(v)) throw NonFinite(spec, seed, k);
                model.GatherValues<float>(theta32);
                foreach (var tracker in trackers) tracker.Step(theta32, g32);
            }
            else
            {
                // The oldest gradient leaves the window as this one enters: reuse its buffer (d doubles per step).
                g = window.Count == options.Window ? window.Dequeue() : new double[d];
                model.GatherGradients<double>(g);
                if (!g.All(double.IsFinite)) throw NonFinite(spec, seed, k);
                window.Enqueue(g);
            }
            if (measureAt.Contains(k - 1))
            {
                progress?.Invoke($"seed {seed}, {name} trajectory, step {k - 1}: measuring {specs.Length} directions" +
                    (options.GaussNewtonBatch > 0 ? $" and the Gauss–Newton matrix on {options.GaussNewtonBatch} samples" : ""));
                double trainLoss = losses.Skip(Math.Max(0, k - 1 - MeanWindow)).Take(Math.Min(MeanWindow, k - 1)).DefaultIfEmpty(loss).Average();
                checkpoints.Add(Measure(task, name, seed, k - 1, trainLoss, trackers, window, options, specs, lineSearch));
                // The measurement used the gradient buffers as scratch.
                if (wholeTrajectory) model.ScatterGradients<float>(g32); else model.ScatterGradients<double>(g!);
            }
            if (k == options.Steps + 1) break;
            losses[k - 1] = loss;
            optimizer.Step();
        }
        progress?.Invoke($"seed {seed}, {name} trajectory: final training loss {losses.TakeLast(Math.Min(20, losses.Length)).Average():F4}");
        return (checkpoints, new SharpnessTrainingCurve(name, seed, losses), parameters);
    }

    /// <summary>Steps over which a checkpoint's training loss is averaged.</summary>
    private const int MeanWindow = 20;

    private static InvalidOperationException NonFinite(string spec, int seed, int step) =>
        new($"Training with {spec} (seed {seed}) produced a non-finite gradient at step {step}; lower its learning rate.");

    private static SharpnessCheckpoint Measure(SharpnessTask task, string trajectory, int seed, int step, double trainLoss, PseudoUpdateTracker[] trackers, IEnumerable<double[]> window,
        SharpnessStudyOptions options, string[] specs, LineSearchOptions lineSearch)
    {
        var adapter = task.MeasurementLoss();
        adapter.HessianMethod = options.Hessian;
        var objective = new ModelObjective(adapter);
        var x = objective.CheckpointPoint();
        var gradients = trackers.Length == 0 ? window.ToList() : [];
        var directions = trackers.Length > 0
            ? trackers.Select(t => t.Direction()).ToArray()
            : specs.Select(s => PseudoUpdate.Direction(s, x, gradients, adapter.Layout)).ToArray();
        var names = options.Directions.Select(d => d.Name).ToArray();
        var table = UpdateSharpnessTable.MeasureDirections(objective, objective, x, names, directions, SharpnessStudyOptions.Reference, lineSearch);
        var g = new double[x.Length];
        double measureLoss = objective.Gradient(x, g);
        var rows = table.Select(r => new SharpnessMeasurement(
            r.Optimizer, r.Sharpness.Sharpness, r.Sharpness.PlainSharpness, r.Sharpness.UsedRobustForm, r.RatioToReference,
            r.Sharpness.GradientCorrelation, r.LineSearch.BestReduction, r.LineSearch.BestStep, r.LineSearch.InitialStep,
            r.LineSearch.FoundDescent, r.LineSearch.StepSizes, r.LineSearch.Losses,
            r.LineSearch.BracketLow, r.LineSearch.BracketHigh, r.LineSearch.Capped)).ToArray();
        GaussNewtonResult? gaussNewton = null;
        if (options.GaussNewtonBatch > 0)
            gaussNewton = GaussNewtonSmoothness.Measure(task.GaussNewtonBatch(options.GaussNewtonBatch)
                ?? throw new InvalidOperationException($"The {options.Model} task is not a classifier; turn the Gauss–Newton measurement off."), GaussNewtonOptions(task, options));
        return new SharpnessCheckpoint(trajectory, seed, step, trainLoss, measureLoss, Vec.Norm(g), rows, gaussNewton);
    }

    /// <summary>Both criteria of the study; the factor-norm candidates are the tensors whose name contains <see cref="SharpnessStudyOptions.GaussNewtonCandidates"/>.</summary>
    private static GaussNewtonOptions GaussNewtonOptions(SharpnessTask task, SharpnessStudyOptions options)
    {
        string? filter = options.GaussNewtonCandidates;
        if (string.IsNullOrEmpty(filter)) return new GaussNewtonOptions();
        var layout = task.MeasurementLoss().Layout;
        var mask = new bool[layout.Count];
        foreach (var t in layout.Tensors)
            if (t.Name.Contains(filter, StringComparison.Ordinal)) Array.Fill(mask, true, t.Offset, t.Count);
        if (!mask.Contains(true))
            throw new ArgumentException($"No parameter tensor of the {options.Model} has '{filter}' in its name ({string.Join(", ", layout.Tensors.Select(t => t.Name).Take(6))}, …); fix the Gauss–Newton candidate filter.");
        return new GaussNewtonOptions { FactorNormCandidates = mask, FactorNormCandidatesName = $"tensors named *{filter}*" };
    }

    private static SharpnessSummaryRow[] Summarise(List<SharpnessCheckpoint> checkpoints, SharpnessStudyOptions options) =>
        options.Trajectories.SelectMany(t => options.Directions.Select(dir =>
        {
            var rows = checkpoints.Where(c => c.Trajectory == t.Name).Select(c => c.Rows.Single(r => r.Optimizer == dir.Name)).ToArray();
            var ratios = rows.Select(r => r.RatioToSgd).ToArray();
            return new SharpnessSummaryRow(t.Name, dir.Name, rows.Length,
                Median(rows.Select(r => r.Sharpness)), Median(ratios),
                ratios.DefaultIfEmpty(double.NaN).Min(), ratios.DefaultIfEmpty(double.NaN).Max(),
                rows.Where(r => !r.LineSearchCapped).Select(r => r.BestLossReduction).DefaultIfEmpty(double.NaN).Average(),
                rows.Count(r => r.LineSearchCapped));
        })).ToArray();

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }
}
