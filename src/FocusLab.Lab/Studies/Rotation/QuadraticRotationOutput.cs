using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using System.Text.Json;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>
/// Files of the quadratic rotation study: rotation_quadratic.json (settings, rows, loss curves, claim checks),
/// rotation_quadratic.csv (one row per rotation), rotation_quadratic.svg (final losses and ‖H‖₁,₁/d against
/// rotation) and rotation_quadratic.html (figure + table + claims). Each is written atomically.
/// </summary>
public static class QuadraticRotationOutput
{
    public const string BaseName = "rotation_quadratic";


    private static readonly string[] Palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    /// <summary>Writes the four files into <paramref name="directory"/> and returns their paths.</summary>
    public static string[] Write(QuadraticRotationReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        string svg = ToSvg(report);
        return FocusLab.Lab.Reports.StudyOutput.Write(directory, BaseName, ToJson(report), ToCsv(report), svg, ToHtml(report, svg));
    }

    public static string ToJson(QuadraticRotationReport r) => JsonSerializer.Serialize(new
    {
        study = "rotation_quadratic",
        paper = "Xie, Mohamadi & Li, \"Adam exploits ℓ∞-geometry of loss landscape via coordinate-wise adaptivity\"",
        settings = r.Options,
        eigenvalues = r.Eigenvalues,
        rows = r.Rows,
        claims = r.Claims,
        elapsed_s = r.ElapsedSeconds,
    }, FocusLab.Lab.Reports.StudyOutput.Json);

    /// <summary>The CSV table: one row per rotation, then best lr and final loss per optimizer.</summary>
    public static string ToCsv(QuadraticRotationReport r) =>
        CsvTable.ToText(r.Rows.Select(QuadraticRotationRow.Of), QuadraticRotationRow.OutcomeColumns(r.Options.Optimizers));

    public static string ToSvg(QuadraticRotationReport r)
    {
        var labels = r.Rows.Select(x => x.Scale is { } s ? s.ToString("G3", CultureInfo.InvariantCulture) : "random").ToArray();
        var loss = new FocusLab.Lab.Reports.LineChart { Title = "final loss vs rotation scale s (R = exp(sK))", XLabel = "rotation scale s", YLabel = "final loss", XCategories = labels, LogY = true };
        for (int k = 0; k < r.Options.Optimizers.Length; k++)
            loss.AddValues(r.Options.Optimizers[k], r.Rows.Select(x => x.Outcomes[k].FinalLoss).ToArray(), Palette[k % Palette.Length]);
        var geometry = new FocusLab.Lab.Reports.LineChart { Title = "‖H‖₁,₁ / d vs rotation scale s", XLabel = "rotation scale s", YLabel = "‖H‖₁,₁ / d", XCategories = labels }
            .AddValues("exact", r.Rows.Select(x => x.L11PerDimension).ToArray(), "#000000")
            .AddValues("Cauchy IQR est.", r.Rows.Select(x => x.L11IqrEstimatePerDimension).ToArray(), "#ff7f0e", dashed: true)
            .AddValues("Cauchy median est.", r.Rows.Select(x => x.L11MedianEstimatePerDimension).ToArray(), "#17becf", dashed: true);
        return FocusLab.Lab.Reports.LineChart.Stack($"Rotated quadratic, d = {r.Options.Dimension}, {r.Options.Steps} steps, best lr per optimizer (mean of {r.Options.Seeds.Length} seeds)", loss, geometry);
    }

    public static string ToHtml(QuadraticRotationReport r, string svg) => StudyOutput.HtmlPage("Rotation study (quadratic)",
        "<h1>Quadratic rotation study (Xie et al.)</h1>\n" + svg + "\n" + PaperClaim.HtmlList(r.Claims) + "<h2>Table</h2>" + StudyOutput.CsvTable(ToCsv(r)));
}
