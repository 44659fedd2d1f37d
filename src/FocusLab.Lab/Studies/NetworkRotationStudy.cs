using FocusLab.Lab.Reports;
using System.Diagnostics;
using System.Globalization;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;
using FocusLab.Optim;

namespace FocusLab.Lab.Studies;

/// <summary>
/// The network rotation study of Xie et al. (docs/equations.md#network-rotation-study): the optimizer keeps
/// its state in x and the model's
/// parameters are y = Rx; the minibatch gradient is Rᵀ∇L(y). sgd and adasgd (one second-moment scalar for
/// the whole vector, ‖Rᵀg‖ = ‖g‖) are rotation-equivariant and follow the same path; adam is not. The loss
/// each optimizer sees has Hessian RᵀHR, whose ‖·‖₁,₁/d is estimated with Cauchy probes on checkpoints.
/// Every optimizer runs each lr of its grid on both losses; each (optimizer, loss) keeps the lr with the lowest
/// mean final loss over seeds (a diverged seed disqualifies an lr; ties go to the smaller lr), and only those
/// runs are measured — from the parameters stored at their checkpoints, after training.
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
        var trained = new List<(NetworkRotationRun Run, List<(int Step, float[] X)> States)>();
        var rotations = new Dictionary<int, TensorProductRotation>();
        long parameters = 0;
        (int, int, int) shape = default;
        foreach (int seed in options.Seeds)
        {
            foreach (bool rotated in new[] { false, true })
            {
                foreach (var (name, spec) in options.Optimizers)
                {
                    foreach (double factor in options.LearningRateFactors)
                    {
                        var task = createTask(seed);
                        int d = checked((int)task.Model.ParameterCount);
                        parameters = d;
                        // The same R for every optimizer and lr of a seed, so they all see the same rotated loss.
                        var rotation = rotated ? Rotation(rotations, d, seed, options) : null;
                        if (rotation is not null) shape = rotation.Shape;
                        double lr = NetworkRotationOptions.BaseLearningRate(spec) * factor;
                        trained.Add(Train(task, name, NetworkRotationOptions.WithLearningRate(spec, lr), lr, rotation, seed, options, progress));
                    }
                }
            }
        }

        var grids = new List<NetworkRotationLearningRates>();
        var runs = new List<NetworkRotationRun>();
        foreach (var (name, spec) in options.Optimizers)
            foreach (bool rotated in new[] { false, true })
            {
                var lrs = options.LearningRateFactors.Select(f => NetworkRotationOptions.BaseLearningRate(spec) * f).ToArray();
                var mean = lrs.Select(lr =>
                {
                    var finals = trained.Where(t => t.Run.Optimizer == name && t.Run.Rotated == rotated && t.Run.LearningRate == lr).Select(t => t.Run.FinalLoss).ToArray();
                    return finals.All(double.IsFinite) ? finals.Average() : double.NaN;
                }).ToArray();
                int best = -1;
                for (int i = 0; i < lrs.Length; i++)
                    if (double.IsFinite(mean[i]) && (best < 0 || mean[i] < mean[best] || (mean[i] == mean[best] && lrs[i] < lrs[best]))) best = i;
                grids.Add(new NetworkRotationLearningRates(name, rotated, lrs, mean, best < 0 ? double.NaN : lrs[best]));
                string loss = rotated ? "rotated" : "original";
                bool edge = best >= 0 && lrs.Length > 1 && (lrs[best] == lrs.Min() || lrs[best] == lrs.Max());
                progress?.Invoke(best < 0 ? $"{name} on the {loss} loss diverged at every lr of the grid"
                    : $"{name} on the {loss} loss: best lr {lrs[best]:G3} (mean final loss {mean[best]:F4})" + (edge ? "; at the edge of the grid, widen --lr-factors to be sure" : ""));
            }
        foreach (var (run, states) in trained)
        {
            bool isBest = grids.Single(g => g.Optimizer == run.Optimizer && g.Rotated == run.Rotated).BestLearningRate == run.LearningRate;
            var checkpoints = new List<NetworkRotationCheckpoint>();
            if (isBest)
                foreach (var (step, x) in states)
                {
                    progress?.Invoke($"{run.Optimizer} on the {(run.Rotated ? "rotated" : "original")} loss (seed {run.Seed}, lr {run.LearningRate:G3}), step {step}: estimating ‖H‖₁,₁/d with {options.EstimatorSamples} Cauchy probes");
                    var task = createTask(run.Seed);
                    var rotation = run.Rotated ? Rotation(rotations, x.Length, run.Seed, options) : null;
                    var xd = new double[x.Length];
                    SetModel(task.Model, x, xd, new double[x.Length], rotation);
                    checkpoints.Add(Measure(task, rotation, xd, step, options, run.Seed));
                }
            runs.Add(run with { Best = isBest, Checkpoints = checkpoints.ToArray() });
        }
        return new NetworkRotationReport(options, parameters, shape, runs.ToArray(), Claims(runs.Where(r => r.Best).ToList()), clock.Elapsed.TotalSeconds, grids.ToArray());
    }

    private static TensorProductRotation Rotation(Dictionary<int, TensorProductRotation> cache, int d, int seed, NetworkRotationOptions options)
    {
        if (!cache.TryGetValue(seed, out var r)) cache[seed] = r = new TensorProductRotation(d, options.Rounds, seed);
        return r;
    }

    /// <summary>Trains one run; a non-finite loss ends it as diverged (NaN losses from there, NaN final loss).</summary>
    private static (NetworkRotationRun Run, List<(int Step, float[] X)> States) Train(SharpnessTask task, string name, string spec, double lr, IRotation? rotation, int seed,
        NetworkRotationOptions options, Action<string>? progress)
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
        var optimizer = OptimizerFactory.Create(spec, [new Parameter("x", [d], x, grad)]);
        var losses = new double[options.Steps];
        Array.Fill(losses, double.NaN);
        var states = new List<(int, float[])>();
        var measureAt = new HashSet<int>(options.Checkpoints);
        string label = $"{name} (lr {lr:G3}) on the {(rotation is null ? "original" : "rotated")} loss (seed {seed})";
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
            optimizer.Step();
            if (measureAt.Contains(k)) states.Add((k, (float[])x.Clone()));
        }
        double final = diverged ? double.NaN : losses.TakeLast(Math.Min(FinalWindow, losses.Length)).Average();
        if (!diverged) progress?.Invoke($"{label}: final loss {final:F4}");
        return (new NetworkRotationRun(name, spec, rotation is not null, seed, losses, final, [], lr), states);
    }

    private static NetworkRotationCheckpoint Measure(SharpnessTask task, IRotation? rotation, double[] x, int step, NetworkRotationOptions options, int seed)
    {
        var objective = new ModelObjective(task.MeasurementLoss());
        IObjective loss = objective;
        IHessianOperator hessian = objective;
        var point = objective.CheckpointPoint();
        if (rotation is not null)
        {
            var rotated = new RotatedObjective(objective, rotation);
            loss = rotated;
            hessian = rotated;
            point = (double[])x.Clone();
        }
        var e = CauchyL11Estimator.Estimate(hessian, point, options.EstimatorSamples, seed);
        return new NetworkRotationCheckpoint(step, loss.Loss(point), e.IqrPerDimension, e.MedianPerDimension, e.RelativeErrorPerRow);
    }

    /// <summary>y = Rx (or x) into the float32 model.</summary>
    private static void SetModel(Module<float> model, float[] x, double[] xd, double[] y, IRotation? rotation)
    {
        for (int i = 0; i < x.Length; i++) xd[i] = x[i];
        if (rotation is null) xd.CopyTo(y, 0); else rotation.Apply(xd, y);
        model.ScatterValues<double>(y);
    }


    /// <summary>Xie et al.'s claims, checked on the mean final loss over seeds and the median ‖H‖₁,₁/d ratio over checkpoints.</summary>
    internal static PaperClaim[] Claims(IReadOnlyList<NetworkRotationRun> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var claims = new List<PaperClaim>();
        double Final(string o, bool r) => runs.Where(x => x.Optimizer == o && x.Rotated == r).Select(x => x.FinalLoss).DefaultIfEmpty(double.NaN).Average();
        var names = runs.Select(r => r.Optimizer).Distinct().ToArray();
        foreach (var o in names)
        {
            double a = Final(o, false), b = Final(o, true);
            double change = Math.Round(100 * (b - a) / a, 1) + 0.0; // + 0.0 turns −0 into 0, so no "-+0.0%"
            string evidence = string.Create(inv, $"final loss (mean of the last {FinalWindow} steps, mean over seeds): original {a:G4}, rotated {b:G4} ({change:+0.0;-0.0;+0.0}%)");
            if (o == "adam") claims.Add(new("adam trains slower on the rotated loss (final loss higher by more than 1%)", b > a * 1.01, evidence));
            else if (o is "sgd" or "adasgd") claims.Add(new($"{o} is rotation-equivariant: its final loss is unchanged by the rotation (within 1%)", Math.Abs(b - a) <= 0.01 * Math.Abs(a), evidence));
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
        return claims.ToArray();
    }
}
