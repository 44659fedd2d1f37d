using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Studies.Curvature;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Tests.ModelLoss;
using FocusLab.Lab.Tests.Training;

namespace FocusLab.Lab.Tests.Studies.Curvature;

public class GeometryProbeTests
{
    /// <summary>The Hessian as a matrix, column by column from the model's Hessian-vector products.</summary>
    private static double[] ExplicitHessian(ModelObjective objective, double[] x)
    {
        int d = objective.Dimension;
        var h = new double[d * d];
        var e = new double[d];
        var col = new double[d];
        for (int j = 0; j < d; j++)
        {
            e[j] = 1;
            objective.HessianVectorProduct(x, e, col);
            e[j] = 0;
            for (int i = 0; i < d; i++) h[i * d + j] = col[i];
        }
        // Symmetrise the rounding noise away; the asymmetry itself is checked below.
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++)
            {
                Assert.True(Math.Abs(h[i * d + j] - h[j * d + i]) < 1e-4 * (1 + Math.Abs(h[i * d + j])), $"H[{i},{j}] is not symmetric");
                h[i * d + j] = h[j * d + i] = (h[i * d + j] + h[j * d + i]) / 2;
            }
        return h;
    }

    [Fact]
    public void Eigenvalues_trace_and_gradient_sharpness_match_the_explicit_hessian()
    {
        var (_, loss, _, _) = TinyModels.Mlp(seed: 4, batch: 8);
        var objective = new ModelObjective(loss);
        var x = objective.CheckpointPoint();
        int d = x.Length;
        var h = ExplicitHessian(objective, x);
        var (values, _) = SymmetricEigen.Decompose(h, d);
        double trace = Enumerable.Range(0, d).Sum(i => h[i * d + i]);

        var report = GeometryProbe.Run(loss, new GeometryProbeOptions { LanczosIterations = d, HutchinsonSamples = 400, Slice1DPoints = 0, Slice2DPoints = 0 });

        double scale = values.Max(Math.Abs);
        Assert.Equal(values.Max(), report.Eigen!.Largest, 1e-6 * scale);
        Assert.Equal(values.Min(), report.Eigen.Smallest, 1e-6 * scale);
        Assert.True(report.Eigen.Converged);
        // Hutchinson is unbiased with the reported standard error.
        Assert.InRange(report.Trace!.Trace, trace - 4 * report.Trace.StandardError, trace + 4 * report.Trace.StandardError);
        Assert.True(report.Trace.StandardError < 0.5 * Math.Abs(trace) + 1e-9);

        var g = new double[d];
        double l = objective.Gradient(x, g);
        Assert.Equal(l, report.Loss);
        Assert.Equal(Vec.Norm(g), report.GradientNorm, 1e-12);
        double gHg = 0;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) gHg += g[i] * h[i * d + j] * g[j];
        double expected = gHg / Vec.Dot(g, g);
        if (expected >= 0) Assert.Equal(expected, report.GradientSharpness!.Sharpness, 1e-5 * scale);
        else Assert.True(report.GradientSharpness!.UsedRobustForm);
    }

    [Fact]
    public void Slices_pass_through_the_loss_at_the_centre_and_the_model_is_left_unchanged()
    {
        var (model, loss, _, _) = TinyModels.Mlp(seed: 5, batch: 8);
        var before = model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        var options = new GeometryProbeOptions { LanczosIterations = 3, HutchinsonSamples = 2, Slice1DPoints = 5, Slice2DPoints = 3, SliceRange = 0.5 };
        var report = GeometryProbe.Run(loss, options);
        Assert.Equal(before, model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray());

        Assert.Equal([-0.5, -0.25, 0, 0.25, 0.5], report.Slice1D!.Alphas);
        Assert.Equal(report.Loss, report.Slice1D.Losses[2], 1e-6);
        Assert.Equal(report.Loss, report.Slice2D![1, 1], 1e-6);
        // The 2-D slice's first direction is the 1-D slice's direction.
        for (int i = 0; i < 3; i++) Assert.Equal(report.Slice1D.Losses[2 * i], report.Slice2D[i, 1], 1e-9);
        // Random directions at ±0.5 filter norms move the loss.
        Assert.True(report.Slice1D.Losses.Max() > report.Loss);

        // Same seed, same numbers.
        var again = GeometryProbe.Run(loss, options);
        Assert.Equal(report.Slice2D.Losses, again.Slice2D!.Losses);
        Assert.Equal(report.Eigen!.Largest, again.Eigen!.Largest);
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_setting_named()
    {
        Assert.Contains("Cauchy", Assert.Throws<ArgumentException>(() => new GeometryProbeOptions { CauchySamples = 3 }.Validate()).Message);
        Assert.Contains("1-D slice", Assert.Throws<ArgumentException>(() => new GeometryProbeOptions { Slice1DPoints = 2 }.Validate()).Message);
        Assert.Contains("range", Assert.Throws<ArgumentException>(() => new GeometryProbeOptions { SliceRange = double.NaN }.Validate()).Message);
    }

    [Fact]
    public void Output_files_hold_the_metrics_the_slice_array_and_both_figures()
    {
        var (_, loss, _, _) = TinyModels.Mlp(seed: 6, batch: 8);
        var options = new GeometryProbeOptions { LanczosIterations = 4, HutchinsonSamples = 2, CauchySamples = 8, Slice1DPoints = 5, Slice2DPoints = 4 };
        var report = GeometryProbe.Run(loss, options);
        string dir = TinyTasks.TempDir();
        var files = GeometryOutput.Write(dir, new GeometrySource("mlp", "ckpt", 7, "adam:lr=1", 8, "blobs"), options, report);
        foreach (var f in files) Assert.True(new FileInfo(f).Length > 0, f);
        var (data, shape) = NpyFile.Read<double>(Path.Combine(dir, "slice_2d.npy"));
        Assert.Equal([4L, 4L], shape);
        Assert.Equal(report.Slice2D!.Losses, data);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "geometry.json")));
        Assert.Equal(report.Eigen!.Largest, json.RootElement.GetProperty("eigen").GetProperty("largest").GetDouble());
        Assert.Equal(7, json.RootElement.GetProperty("source").GetProperty("step").GetInt64());
        Assert.True(json.RootElement.GetProperty("l11").GetProperty("iqr_per_dimension").GetDouble() > 0);
        var csv = File.ReadAllLines(Path.Combine(dir, "geometry.csv"));
        Assert.Equal("metric,value", csv[0]);
        Assert.Contains(csv, l => l.StartsWith("lambda_max,"));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "geometry_slice_2d.svg")));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "geometry.html")));
    }
}
