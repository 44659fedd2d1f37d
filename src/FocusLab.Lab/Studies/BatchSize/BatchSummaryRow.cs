using CsvHelper;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// A row of the batch sweep's <c>batch_summary.csv</c>: an optimizer at one batch size, at its best lr
/// (<see cref="OptimizerAtBatch"/>), with the size of its final lr grid and where its optimum still sits at an edge.
/// </summary>
[CsvRecord]
internal sealed partial record BatchSummaryRow(
    [property: CsvColumn("batch")] int Batch,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("best_lr")] double BestLr,
    [property: CsvColumn("loss_mean")] double LossMean,
    [property: CsvColumn("loss_std")] double LossStd,
    [property: CsvColumn("accuracy_mean")] double? AccuracyMean,
    [property: CsvColumn("diverged_runs")] int DivergedRuns,
    [property: CsvColumn("lrs_tried")] int LrsTried,
    [property: CsvColumn("extensions")] int Extensions,
    [property: CsvColumn("edge")] string Edge)
{
    /// <summary>The row of <paramref name="r"/>.</summary>
    public static BatchSummaryRow Of(OptimizerAtBatch r) =>
        new(r.Batch, r.Optimizer, r.BestLr, r.LossMean, r.LossStd, r.AccuracyMean, r.DivergedRuns, r.LrGrid.Length, r.Extensions, EdgeOf(r));

    /// <summary>"lower" or "upper" when the best lr is still at that edge of its grid, "" when it is interior.</summary>
    public static string EdgeOf(OptimizerAtBatch r) => r.AtLowerEdge ? "lower" : r.AtUpperEdge ? "upper" : "";
}
