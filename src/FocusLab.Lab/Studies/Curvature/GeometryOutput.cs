using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Curvature;

/// <summary>Where a geometry report was measured: the run and the batch.</summary>
public sealed record GeometrySource(string Model, string Checkpoint, long Step, string Optimizer, int Batch, string Data);

/// <summary>
/// The files of `focuslab geometry`: geometry.json (everything), geometry.csv (one metric per row),
/// slice_1d.csv and geometry_slice_1d.svg, slice_2d.npy (losses [α, β]) and geometry_slice_2d.svg,
/// and geometry.html with the table and both figures. Each file is written atomically.
/// </summary>
public static class GeometryOutput
{
    public static IReadOnlyList<string> Write(string directory, GeometrySource source, GeometryProbeOptions options, GeometryReport report)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Text(string name, string text) { string p = Path.Combine(directory, name); AtomicFile.WriteText(p, text); written.Add(p); }
        Text("geometry.json", ToJson(source, options, report));
        Text("geometry.csv", ToCsv(report));
        var figures = new List<string>();
        if (report.Slice1D is { } s1)
        {
            string slice = Path.Combine(directory, "slice_1d.csv");
            CsvTable.Write(slice, s1.Alphas.Select((alpha, i) => new SliceRow(alpha, s1.Losses[i])));
            written.Add(slice);
            figures.Add(Slice1DSvg(source, options, report));
            Text("geometry_slice_1d.svg", figures[^1]);
        }
        if (report.Slice2D is { } s2)
        {
            string npy = Path.Combine(directory, "slice_2d.npy");
            NpyFile.Write(npy, s2.Losses, s2.Alphas.Length, s2.Betas.Length);
            written.Add(npy);
            figures.Add(Slice2DSvg(source, options, report));
            Text("geometry_slice_2d.svg", figures[^1]);
        }
        Text("geometry.html", ToHtml(source, report, figures));
        return written;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    internal static string ToJson(GeometrySource source, GeometryProbeOptions options, GeometryReport r) => JsonSerializer.Serialize(new
    {
        study = "geometry",
        source,
        settings = options,
        parameters = r.Parameters,
        loss = r.Loss,
        gradient_norm = r.GradientNorm,
        gradient_sharpness = r.GradientSharpness,
        eigen = r.Eigen,
        trace = r.Trace,
        l11 = r.L11 is { } l ? new { l.Iqr, l.Median, iqr_per_dimension = l.IqrPerDimension, median_per_dimension = l.MedianPerDimension, l.Samples, l.RowsUsed, l.RelativeErrorPerRow } : null,
        slice_1d = r.Slice1D,
        slice_2d = r.Slice2D,
        seconds = r.Seconds,
    }, StudyOutput.Json);

    /// <summary>The scalar results, one (metric, value) per row.</summary>
    public static IEnumerable<(string Metric, double Value)> Metrics(GeometryReport r)
    {
        yield return ("parameters", r.Parameters);
        yield return ("loss", r.Loss);
        yield return ("gradient_norm", r.GradientNorm);
        if (r.GradientSharpness is { } s)
        {
            yield return ("gradient_sharpness", s.Sharpness);
            yield return ("gradient_sharpness_robust_form", s.UsedRobustForm ? 1 : 0);
        }
        if (r.Eigen is { } e)
        {
            yield return ("lambda_max", e.Largest);
            yield return ("lambda_min", e.Smallest);
            yield return ("spectral_norm", e.SpectralNorm);
            yield return ("lambda_max_residual", e.LargestResidual);
            yield return ("lanczos_converged", e.Converged ? 1 : 0);
        }
        if (r.Trace is { } t)
        {
            yield return ("trace", t.Trace);
            yield return ("trace_standard_error", t.StandardError);
        }
        if (r.L11 is { } l)
        {
            yield return ("l11_per_dimension_iqr", l.IqrPerDimension);
            yield return ("l11_per_dimension_median", l.MedianPerDimension);
        }
    }

    /// <summary>geometry.csv: one row per metric (<see cref="CurvatureMetricRow"/>).</summary>
    internal static string ToCsv(GeometryReport r) => CsvTable.ToText(Metrics(r).Select(m => new CurvatureMetricRow(m.Metric, m.Value)));

    private static string Where(GeometrySource s) => $"{s.Model} at step {s.Step} ({s.Optimizer}), batch {s.Batch}";

    internal static string Slice1DSvg(GeometrySource source, GeometryProbeOptions options, GeometryReport r)
    {
        var s = r.Slice1D ?? throw new InvalidOperationException("No 1-D slice was measured.");
        return new LineChart
        {
            Title = "Loss along a random direction",
            Subtitle = Where(source),
            XLabel = options.FilterNormalise ? "α (filter-normalised direction)" : "α",
            YLabel = "loss",
        }.Add("L(θ + α·d)", s.Alphas.Zip(s.Losses), "#1F77B4").ToSvg();
    }

    internal static string Slice2DSvg(GeometrySource source, GeometryProbeOptions options, GeometryReport r)
    {
        var s = r.Slice2D ?? throw new InvalidOperationException("No 2-D slice was measured.");
        // Log colour scale: slices span orders of magnitude away from a minimum.
        return new MapFigure("Loss over two random directions", s.Alphas, "α", s.Betas, "β", Where(source))
            .Values((j, i) => s[i, j], "loss", logScale: true).ToSvg();
    }

    internal static string ToHtml(GeometrySource source, GeometryReport r, IEnumerable<string> figures)
    {
        var sb = new StringBuilder();
        sb.Append($"<h1>Loss geometry: {WebUtility.HtmlEncode(Where(source))}</h1>\n<p>{WebUtility.HtmlEncode(source.Checkpoint)}</p>\n<table><tr><th>metric</th><th>value</th></tr>\n");
        foreach (var (m, v) in Metrics(r)) sb.Append(Inv($"<tr><td>{m}</td><td>{v:G6}</td></tr>\n"));
        sb.Append("</table>\n");
        foreach (var f in figures) sb.Append(f).Append('\n');
        return StudyOutput.HtmlPage("Loss geometry", sb.ToString());
    }
}
