using System.Diagnostics;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;
using FocusLab.Optim;

namespace FocusLab.Lab.Studies;

/// <summary>
/// Directional sharpness of optimizer updates along real training trajectories (Pan &amp; Li 2023, "Toward
/// understanding why Adam converges faster than SGD for transformers", section 4; docs/equations.md#sharpness-study): train with sgd
/// and with adam; at each checkpoint θ, from the minibatch gradients of the last <c>Window</c> steps (the
/// last taken at θ) form every optimizer's pseudo-update u, and measure on a fixed batch uᵀHu/‖u‖² (robust
/// form when negative), its ratio to sgd's, and the best loss reduction along u/‖u‖. The checkpoint is
/// never moved: the measurements go through <see cref="ModelObjective"/>, which restores θ bit for bit.
/// </summary>
public static class SharpnessStudy
{
    /// <param name="createTask">Builds a fresh model and data stream for a seed (each trajectory starts from the same initialisation).</param>
    /// <param name="cancel">Checked before every training step; cancelling stops the study with <see cref="OperationCanceledException"/> (it keeps no partial results).</param>
    public static SharpnessReport Run(SharpnessStudyOptions options, Func<int, SharpnessTask> createTask, Action<string>? progress = null, CancellationToken cancel = default)
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
        string referenceSpec = options.Directions.First(d => d.Name == SharpnessStudyOptions.Reference).Spec;
        var lineSearch = new LineSearchOptions { BaseStep = options.LineSearchBaseStep };

        // Every (seed, trajectory) run is independent (a fresh model and data stream), so the runs go in
        // parallel, one per core; results are gathered in run order, and each run is deterministic for
        // any thread count, so the report does not depend on how many ran at once.
        var runs = options.Seeds.SelectMany(seed => options.Trajectories.Select(t => (Seed: seed, t.Name, t.Spec))).ToArray();
        var results = new (List<SharpnessCheckpoint> Checkpoints, SharpnessTrainingCurve Curve, long Parameters)[runs.Length];
        try
        {
            Parallel.For(0, runs.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ParallelRuns) },
                i => results[i] = Trajectory(runs[i].Seed, runs[i].Name, runs[i].Spec, createTask, options, measureAt, specs, referenceSpec, lineSearch, progress, cancel));
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
        return new SharpnessReport(options, parameters, checkpoints.ToArray(), summary, SharpnessClaims.Check(checkpoints, options.Model), curves.ToArray(), clock.Elapsed.TotalSeconds);
    }

    private static (List<SharpnessCheckpoint>, SharpnessTrainingCurve, long) Trajectory(int seed, string name, string spec, Func<int, SharpnessTask> createTask,
        SharpnessStudyOptions options, HashSet<int> measureAt, string[] specs, string referenceSpec, LineSearchOptions lineSearch, Action<string>? progress, CancellationToken cancel)
    {
        var checkpoints = new List<SharpnessCheckpoint>();
        var task = createTask(seed);
        var model = task.Model;
        long parameters = model.ParameterCount;
        int d = checked((int)parameters);
        var optimizer = OptimizerFactory.Create(spec, model.OptimParameterList());
        var window = new Queue<double[]>();
        var losses = new double[options.Steps];
        // Iteration k computes the gradient at θ_{k−1}: a checkpoint "after c steps" is measured at iteration c + 1,
        // before the step, so the window's last gradient is taken at the checkpoint (Pan & Li).
        for (int k = 1; k <= options.Steps + 1; k++)
        {
            cancel.ThrowIfCancellationRequested();
            double loss = task.ForwardBackward();
            // The oldest gradient leaves the window as this one enters: reuse its buffer (d doubles per step).
            var g = window.Count == options.Window ? window.Dequeue() : new double[d];
            model.GatherGradients<double>(g);
            if (!g.All(double.IsFinite)) throw new InvalidOperationException($"Training with {spec} (seed {seed}) produced a non-finite gradient at step {k}; lower its learning rate.");
            window.Enqueue(g);
            if (measureAt.Contains(k - 1))
            {
                progress?.Invoke($"seed {seed}, {name} trajectory, step {k - 1}: measuring {specs.Length} directions" +
                    (options.GaussNewtonBatch > 0 ? $" and the Gauss–Newton matrix on {options.GaussNewtonBatch} samples" : ""));
                double trainLoss = losses.Skip(Math.Max(0, k - 1 - options.Window)).Take(Math.Min(options.Window, k - 1)).DefaultIfEmpty(loss).Average();
                checkpoints.Add(Measure(task, name, seed, k - 1, trainLoss, window.ToList(), options, specs, referenceSpec, lineSearch));
                model.ScatterGradients<double>(g); // the measurement used the gradient buffers as scratch
            }
            if (k == options.Steps + 1) break;
            losses[k - 1] = loss;
            optimizer.Step();
        }
        progress?.Invoke($"seed {seed}, {name} trajectory: final training loss {losses.TakeLast(Math.Min(20, losses.Length)).Average():F4}");
        return (checkpoints, new SharpnessTrainingCurve(name, seed, losses), parameters);
    }

    private static SharpnessCheckpoint Measure(SharpnessTask task, string trajectory, int seed, int step, double trainLoss, List<double[]> gradients,
        SharpnessStudyOptions options, string[] specs, string referenceSpec, LineSearchOptions lineSearch)
    {
        var adapter = task.MeasurementLoss();
        adapter.HessianMethod = options.Hessian;
        var objective = new ModelObjective(adapter);
        var x = objective.CheckpointPoint();
        var table = UpdateSharpnessTable.Measure(objective, objective, x, gradients, specs, referenceSpec, adapter.Layout, lineSearch);
        var g = new double[x.Length];
        double measureLoss = objective.Gradient(x, g);
        var rows = table.Select((r, i) => new SharpnessMeasurement(
            options.Directions[i].Name, r.Sharpness.Sharpness, r.Sharpness.PlainSharpness, r.Sharpness.UsedRobustForm, r.RatioToReference,
            r.Sharpness.GradientCorrelation, r.LineSearch.BestReduction, r.LineSearch.BestStep, r.LineSearch.BaseStep,
            r.LineSearch.EnoughPointsBelowStart, r.LineSearch.StepSizes, r.LineSearch.Losses)).ToArray();
        GaussNewtonResult? gaussNewton = null;
        if (options.GaussNewtonBatch > 0)
            gaussNewton = GaussNewtonSmoothness.Measure(task.GaussNewtonBatch(options.GaussNewtonBatch)
                ?? throw new InvalidOperationException($"The {options.Model} task is not a classifier; turn the Gauss–Newton measurement off."));
        return new SharpnessCheckpoint(trajectory, seed, step, trainLoss, measureLoss, Vec.Norm(g), rows, gaussNewton);
    }

    private static SharpnessSummaryRow[] Summarise(List<SharpnessCheckpoint> checkpoints, SharpnessStudyOptions options) =>
        options.Trajectories.SelectMany(t => options.Directions.Select(dir =>
        {
            var rows = checkpoints.Where(c => c.Trajectory == t.Name).Select(c => c.Rows.Single(r => r.Optimizer == dir.Name)).ToArray();
            var ratios = rows.Select(r => r.RatioToSgd).ToArray();
            return new SharpnessSummaryRow(t.Name, dir.Name, rows.Length,
                Median(rows.Select(r => r.Sharpness)), Median(ratios),
                ratios.DefaultIfEmpty(double.NaN).Min(), ratios.DefaultIfEmpty(double.NaN).Max(),
                rows.Select(r => r.BestLossReduction).DefaultIfEmpty(double.NaN).Average());
        })).ToArray();

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }
}
