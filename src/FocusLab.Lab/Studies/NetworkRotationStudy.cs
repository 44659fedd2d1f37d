using System.Diagnostics;
using System.Globalization;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;
using FocusLab.Optim;

namespace FocusLab.Lab.Studies;

/// <summary>
/// The network rotation study of Xie et al. (SPEC §3): the optimizer keeps its state in x and the model's
/// parameters are y = Rx; the minibatch gradient is Rᵀ∇L(y). sgd and adasgd (one second-moment scalar for
/// the whole vector, ‖Rᵀg‖ = ‖g‖) are rotation-equivariant and follow the same path; adam is not. The loss
/// each optimizer sees has Hessian RᵀHR, whose ‖·‖₁,₁/d is estimated with Cauchy probes on checkpoints.
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
        var runs = new List<NetworkRotationRun>();
        long parameters = 0;
        (int, int, int) shape = default;
        foreach (int seed in options.Seeds)
        {
            foreach (bool rotated in new[] { false, true })
            {
                foreach (var (name, spec) in options.Optimizers)
                {
                    var task = createTask(seed);
                    int d = checked((int)task.Model.ParameterCount);
                    parameters = d;
                    // The same R for every optimizer of a seed, so they see the same rotated loss.
                    var rotation = rotated ? new TensorProductRotation(d, options.Rounds, seed) : null;
                    if (rotation is not null) shape = rotation.Shape;
                    runs.Add(Train(task, name, spec, rotation, seed, options, progress));
                }
            }
        }
        return new NetworkRotationReport(options, parameters, shape, runs.ToArray(), Claims(runs), clock.Elapsed.TotalSeconds);
    }

    private static NetworkRotationRun Train(SharpnessTask task, string name, string spec, IRotation? rotation, int seed, NetworkRotationOptions options, Action<string>? progress)
    {
        var model = task.Model;
        int d = checked((int)model.ParameterCount);
        var y = new double[d];
        var gy = new double[d];
        var gx = new double[d];
        var xd = new double[d];
        Read(model, y, gradients: false);
        if (rotation is null) y.CopyTo(xd, 0); else rotation.ApplyTranspose(y, xd); // x₀ = Rᵀy₀: the same starting network
        var x = new float[d];
        var grad = new float[d];
        for (int i = 0; i < d; i++) x[i] = (float)xd[i];
        var optimizer = OptimizerFactory.Create(spec, [new Parameter("x", [d], x, grad)]);
        var losses = new double[options.Steps];
        var checkpoints = new List<NetworkRotationCheckpoint>();
        var measureAt = new HashSet<int>(options.Checkpoints);
        string label = $"{name} on the {(rotation is null ? "original" : "rotated")} loss (seed {seed})";
        for (int k = 1; k <= options.Steps; k++)
        {
            SetModel(model, x, xd, y, rotation);
            losses[k - 1] = task.ForwardBackward();
            if (!double.IsFinite(losses[k - 1])) throw new InvalidOperationException($"{label} diverged at step {k}; lower its learning rate.");
            Read(model, gy, gradients: true);
            if (rotation is null) gy.CopyTo(gx, 0); else rotation.ApplyTranspose(gy, gx);
            for (int i = 0; i < d; i++) grad[i] = (float)gx[i];
            optimizer.Step();
            if (measureAt.Contains(k))
            {
                progress?.Invoke($"{label}, step {k}: estimating ‖H‖₁,₁/d with {options.EstimatorSamples} Cauchy probes");
                SetModel(model, x, xd, y, rotation);
                checkpoints.Add(Measure(task, rotation, xd, k, options, seed));
            }
        }
        double final = losses.TakeLast(Math.Min(FinalWindow, losses.Length)).Average();
        progress?.Invoke($"{label}: final loss {final:F4}");
        return new NetworkRotationRun(name, spec, rotation is not null, seed, losses, final, checkpoints.ToArray());
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
        int o = 0;
        foreach (var p in model.Parameters) { var s = p.Value.Span; for (int i = 0; i < s.Length; i++) s[i] = (float)y[o + i]; o += s.Length; }
    }

    private static void Read(Module<float> model, double[] dst, bool gradients)
    {
        int o = 0;
        foreach (var p in model.Parameters) { var s = gradients ? p.Grad.Span : p.Value.Span; for (int i = 0; i < s.Length; i++) dst[o + i] = s[i]; o += s.Length; }
    }

    /// <summary>Xie et al.'s claims, checked on the mean final loss over seeds and the median ‖H‖₁,₁/d ratio over checkpoints.</summary>
    internal static SharpnessClaim[] Claims(IReadOnlyList<NetworkRotationRun> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var claims = new List<SharpnessClaim>();
        double Final(string o, bool r) => runs.Where(x => x.Optimizer == o && x.Rotated == r).Select(x => x.FinalLoss).DefaultIfEmpty(double.NaN).Average();
        var names = runs.Select(r => r.Optimizer).Distinct().ToArray();
        foreach (var o in names)
        {
            double a = Final(o, false), b = Final(o, true);
            string evidence = string.Create(inv, $"final loss (mean of the last {FinalWindow} steps, mean over seeds): original {a:G4}, rotated {b:G4} ({100 * (b - a) / a:+0.0;-0.0}%)");
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
