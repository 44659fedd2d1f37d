using CsvHelper;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>
/// A row of <c>rotation_{model}.csv</c>: one training run, with one measured checkpoint (the checkpoint
/// columns are empty for a run that was not measured, i.e. not at its optimizer's best lr).
/// </summary>
[CsvRecord]
[CsvOptions(TrueValues = new[] { "true" }, FalseValues = new[] { "false" })]
internal sealed partial record RotationRunRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("rotated")] bool Rotated,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("best_lr")] bool BestLr,
    [property: CsvColumn("final_loss"), CsvConverter(typeof(CsvFormats.DivergedOrLoss))] double FinalLoss,
    [property: CsvColumn("step")] int? Step,
    [property: CsvColumn("measure_loss")] double? MeasureLoss,
    [property: CsvColumn("l11_iqr_per_d")] double? L11IqrPerD,
    [property: CsvColumn("l11_median_per_d")] double? L11MedianPerD,
    [property: CsvColumn("estimator_rel_error_per_row")] double? EstimatorRelErrorPerRow)
{
    /// <summary>One row per checkpoint of <paramref name="run"/>, or one row without checkpoint columns when it has none.</summary>
    public static IEnumerable<RotationRunRow> Of(string model, NetworkRotationRun run)
    {
        var head = new RotationRunRow(model, run.Optimizer, run.Rotated, run.Seed, run.LearningRate, run.Best, run.FinalLoss, null, null, null, null, null);
        if (run.Checkpoints.Length == 0) return [head];
        return run.Checkpoints.Select(c => head with
        {
            Step = c.Step, MeasureLoss = c.MeasureLoss, L11IqrPerD = c.L11IqrPerDimension, L11MedianPerD = c.L11MedianPerDimension, EstimatorRelErrorPerRow = c.RelativeErrorPerRow,
        });
    }
}

/// <summary>
/// A row of a loss-curve table (<c>rotation_{model}_curves.csv</c>, <c>geometry_{model}_curves.csv</c>): one
/// (optimizer, loss version) at its best lr over one block of steps ending at <see cref="Step"/>, the minibatch loss
/// averaged over the block, then mean and sample spread over seeds (empty after a divergence).
/// </summary>
[CsvRecord]
internal sealed partial record LossCurveBlockRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("loss")] string Loss,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("seeds")] int Seeds,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("mean_loss"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double MeanLoss,
    [property: CsvColumn("std_loss"), CsvConverter(typeof(CsvFormats.BlankUnlessFinite))] double StdLoss);

/// <summary>
/// A row of <c>rotation_quadratic.csv</c>: one rotation's geometry (means over seeds); each optimizer's best lr and
/// final loss follow as the extra columns <c>{optimizer}_best_lr,{optimizer}_final_loss</c> (<see cref="OutcomeColumns"/>).
/// </summary>
[CsvRecord]
[CsvOptions(TrueValues = new[] { "true" }, FalseValues = new[] { "false" })]
internal sealed partial record QuadraticRotationRow(
    [property: CsvColumn("rotation")] string Rotation,
    [property: CsvColumn("s")] double? S,
    [property: CsvColumn("l11_per_d")] double L11PerD,
    [property: CsvColumn("l11_iqr_estimate_per_d")] double L11IqrEstimatePerD,
    [property: CsvColumn("l11_median_estimate_per_d")] double L11MedianEstimatePerD,
    [property: CsvColumn("estimator_rel_error_per_row")] double EstimatorRelErrorPerRow,
    [property: CsvColumn("spectral_norm")] double SpectralNorm,
    [property: CsvColumn("spectral_norm_lanczos")] double SpectralNormLanczos,
    [property: CsvColumn("lanczos_converged")] bool LanczosConverged,
    [property: CsvColumn("initial_loss")] double InitialLoss)
{
    /// <summary>Best lr and final loss of each optimizer, in the order of <see cref="OutcomeColumns"/>.</summary>
    [CsvIgnore] public double[] Outcomes { get; init; } = [];


    /// <summary>The row of <paramref name="r"/>: its geometry, then best lr and final loss per optimizer.</summary>
    public static QuadraticRotationRow Of(RotationRow r) =>
        new(r.Rotation, r.Scale, r.L11PerDimension, r.L11IqrEstimatePerDimension, r.L11MedianEstimatePerDimension, r.EstimatorRelativeErrorPerRow,
            r.SpectralNorm, r.SpectralNormLanczos, r.LanczosConverged, r.InitialLoss)
        { Outcomes = r.Outcomes.SelectMany(o => new[] { o.BestLearningRate, o.FinalLoss }).ToArray() };

    /// <summary>The per-optimizer columns, named by the optimizers' kinds (the spec before ':').</summary>
    public static CsvExtraColumns<QuadraticRotationRow> OutcomeColumns(IEnumerable<string> optimizerSpecs) =>
        new(optimizerSpecs.Select(o => o.Split(':')[0]).SelectMany(o => new[] { $"{o}_best_lr", $"{o}_final_loss" }).ToArray(), row => row.Outcomes, new CsvFormats.RoundTrip());
}
