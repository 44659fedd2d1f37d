using System.Diagnostics;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Studies.Curvature;

/// <summary>The extreme Hessian eigenvalues found by Lanczos, with their true residuals.</summary>
public sealed record EigenSummary(double Largest, double Smallest, double SpectralNorm, double LargestResidual, double SmallestResidual, bool Converged, int Iterations);

/// <summary>Everything `focuslab geometry` measured at one point, with the wall time of each part.</summary>
public sealed record GeometryReport(
    int Parameters,
    double Loss,
    double GradientNorm,
    DirectionalSharpnessResult? GradientSharpness,
    EigenSummary? Eigen,
    TraceEstimate? Trace,
    L11Estimate? L11,
    Slice1D? Slice1D,
    Slice2D? Slice2D,
    IReadOnlyDictionary<string, double> Seconds);

/// <summary>
/// The loss geometry at a model's current parameters, on a fixed batch: loss and gradient norm, the
/// curvature along the gradient (directional sharpness, Pan &amp; Li), the extreme eigenvalues by Lanczos,
/// the trace by Hutchinson, ‖H‖₁,₁/d by Cauchy probes (Xie et al.), and 1-D / 2-D loss slices along random
/// (filter-normalised) directions. The model's parameters are unchanged afterwards (<see cref="ModelObjective"/>
/// writes the checkpoint's exact bits back after every probe).
/// </summary>
public static class GeometryProbe
{
    public static GeometryReport Run(IModelLoss model, GeometryProbeOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var objective = new ModelObjective(model);
        if (!objective.HasExactHessian)
            throw new ArgumentException("This model provides no Hessian-vector products; geometry needs a model implementing IModelHessian.", nameof(model));
        var x = objective.CheckpointPoint();
        int d = x.Length;
        var seconds = new Dictionary<string, double>();
        T Timed<T>(string part, Func<T> work)
        {
            progress?.Invoke(part);
            long t0 = Stopwatch.GetTimestamp();
            var result = work();
            seconds[part] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            return result;
        }

        var g = new double[d];
        double loss = Timed("gradient", () => objective.Gradient(x, g));
        double gradientNorm = Vec.Norm(g);
        var gradientSharpness = gradientNorm > 0
            ? Timed("gradient_sharpness", () => DirectionalSharpness.Measure(objective, objective, x, g))
            : null;
        EigenSummary? eigen = null;
        if (options.LanczosIterations > 0)
            eigen = Timed("lanczos", () =>
            {
                var r = Lanczos.Run(objective, x, new LanczosOptions { MaxIterations = options.LanczosIterations, Seed = options.Seed });
                return new EigenSummary(r.Largest.Value, r.Smallest.Value, r.SpectralNorm, r.Largest.Residual, r.Smallest.Residual, r.Converged, r.Iterations);
            });
        TraceEstimate? trace = options.HutchinsonSamples > 0
            ? Timed("hutchinson", () => HutchinsonTrace.Estimate(objective, x, options.HutchinsonSamples, options.Seed))
            : null;
        L11Estimate? l11 = options.CauchySamples > 0
            ? Timed("cauchy_l11", () => CauchyL11Estimator.Estimate(objective, x, options.CauchySamples, options.Seed, options.CauchyRows))
            : null;
        Slice1D? slice1 = null;
        Slice2D? slice2 = null;
        if (options.Slice1DPoints > 0)
        {
            var dir = options.Direction(1, x, objective.Layout);
            var grid = LandscapeSlice.Grid(-options.SliceRange, options.SliceRange, options.Slice1DPoints);
            slice1 = Timed("slice_1d", () => LandscapeSlice.OneDimensional(objective, x, dir, grid));
        }
        if (options.Slice2DPoints > 0)
        {
            var d1 = options.Direction(1, x, objective.Layout);
            var d2 = options.Direction(2, x, objective.Layout);
            var grid = LandscapeSlice.Grid(-options.SliceRange, options.SliceRange, options.Slice2DPoints);
            slice2 = Timed("slice_2d", () => LandscapeSlice.TwoDimensional(objective, x, d1, d2, grid, grid));
        }
        return new GeometryReport(d, loss, gradientNorm, gradientSharpness, eigen, trace, l11, slice1, slice2, seconds);
    }
}
