using CsvHelper;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Geometry;

/// <summary>
/// A row of <c>geometry_{model}.csv</c>: one training run; the curvature columns are empty unless the run was
/// measured (its optimizer's chosen lr on that loss version), and empty where a probe gave no finite value.
/// </summary>
[CsvRecord]
[CsvOptions(TrueValues = new[] { "true" }, FalseValues = new[] { "false" })]
internal sealed partial record GeometryRunRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("loss")] string Loss,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("best_lr")] bool BestLr,
    [property: CsvColumn("final_loss"), CsvConverter(typeof(CsvFormats.DivergedOrLoss))] double FinalLoss,
    [property: CsvColumn("measure_loss"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double MeasureLoss,
    [property: CsvColumn("l11_iqr_per_d"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double L11IqrPerD,
    [property: CsvColumn("l11_median_per_d"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double L11MedianPerD,
    [property: CsvColumn("spectral_smoothness"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double SpectralSmoothness,
    [property: CsvColumn("lambda_max"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double LambdaMax)
{
    /// <summary>The row of <paramref name="run"/> of a study on <paramref name="model"/>.</summary>
    public static GeometryRunRow Of(string model, GeometryRun run)
    {
        var m = run.Measure;
        return new(model, run.Optimizer, run.Loss, run.Seed, run.LearningRate, run.Best, run.FinalLoss,
            m?.MeasureLoss ?? double.NaN, m?.L11IqrPerDimension ?? double.NaN, m?.L11MedianPerDimension ?? double.NaN, m?.SpectralSmoothness ?? double.NaN, m?.LambdaMax ?? double.NaN);
    }
}

/// <summary>
/// A row of <c>geometry_{model}_measures.csv</c>: one (optimizer, loss version) at its best lr, the final loss and the
/// curvature probes as mean and sample spread over seeds (empty where nothing finite was measured).
/// </summary>
[CsvRecord]
public sealed partial record GeometryMeasuresRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("loss")] string Loss,
    [property: CsvColumn("best_lr")] double BestLr,
    [property: CsvColumn("seeds")] int Seeds,
    [property: CsvColumn("final_loss"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double FinalLoss,
    [property: CsvColumn("final_loss_std"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double FinalLossStd,
    [property: CsvColumn("l11_iqr_per_d"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double L11IqrPerD,
    [property: CsvColumn("l11_iqr_per_d_std"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double L11IqrPerDStd,
    [property: CsvColumn("spectral_smoothness"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double SpectralSmoothness,
    [property: CsvColumn("spectral_smoothness_std"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double SpectralSmoothnessStd,
    [property: CsvColumn("lambda_max"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double LambdaMax,
    [property: CsvColumn("lambda_max_std"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double LambdaMaxStd);
