using CsvHelper;
using FocusLab.Lab.Studies.BatchSize;

namespace FocusLab.Lab.Studies.Noise;

/// <summary>
/// A row of the LM noise study's <c>batch_summary.csv</c>: an optimizer at one batch size, at its best lr, with
/// the size of its final lr grid and where its optimum still sits at an edge.
/// </summary>
[CsvRecord]
internal sealed partial record NoiseBatchSummaryRow(
    [property: CsvColumn("batch")] int Batch,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("best_lr")] double BestLr,
    [property: CsvColumn("loss_mean")] double LossMean,
    [property: CsvColumn("loss_std")] double LossStd,
    [property: CsvColumn("lrs_tried")] int LrsTried,
    [property: CsvColumn("extensions")] int Extensions,
    [property: CsvColumn("edge")] string Edge,
    [property: CsvColumn("diverged_runs")] int DivergedRuns)
{
    /// <summary>The row of <paramref name="r"/>.</summary>
    public static NoiseBatchSummaryRow Of(OptimizerAtBatch r) =>
        new(r.Batch, r.Optimizer, r.BestLr, r.LossMean, r.LossStd, r.LrGrid.Length, r.Extensions, BatchSummaryRow.EdgeOf(r), r.DivergedRuns);
}

/// <summary>A row of <c>noise.csv</c>: the gradient noise measured at one batch size along one adamw run.</summary>
[CsvRecord]
internal sealed partial record NoiseRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("batch")] int Batch,
    [property: CsvColumn("gradients")] int Gradients,
    [property: CsvColumn("parameters")] long Parameters,
    [property: CsvColumn("median_std_over_mean")] double MedianStdOverMean,
    [property: CsvColumn("trace_cov")] double TraceCov,
    [property: CsvColumn("grad_norm_sq")] double GradNormSq,
    [property: CsvColumn("noise_to_signal")] double? NoiseToSignal,
    [property: CsvColumn("simple_noise_scale")] double? SimpleNoiseScale)
{
    /// <summary>The row of <paramref name="n"/>, measured along the run called <paramref name="model"/>.</summary>
    public static NoiseRow Of(string model, GradientNoise n) =>
        new(model, n.Batch, n.Gradients, n.Parameters, n.MedianStdOverMean, n.TraceCov, n.GradNormSq, n.NoiseToSignal, n.SimpleNoiseScale);
}
