using CsvHelper;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// Improvement of <see cref="Optimizer"/> over adamw at one batch size, I = (L_adamw − L_opt)/L_adamw on the
/// replicate-mean losses, and its spread: mean, standard deviation, min and max of the per-replicate
/// I_r = (L_adamw,r − L_opt,r)/L_adamw,r (replicate r of each at its own best lr; same seed).
/// <see cref="LargerThanSpread"/>: every I_r has the sign of I (the replicates' range excludes 0), so the
/// difference is larger than the replicate spread. <see cref="EdgeOptimum"/>: either optimizer's best lr
/// is still at an edge of its grid. Also a row of <c>improvement.csv</c> (the column names below).
/// </summary>
[CsvRecord]
public sealed partial record Improvement(
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("batch")] int Batch,
    [property: CsvColumn("improvement")] double I,
    [property: CsvColumn("replicate_mean")] double ReplicateMean,
    [property: CsvColumn("replicate_std")] double ReplicateStd,
    [property: CsvColumn("replicate_min")] double ReplicateMin,
    [property: CsvColumn("replicate_max")] double ReplicateMax,
    [property: CsvColumn("larger_than_spread")] bool LargerThanSpread,
    [property: CsvColumn("edge_optimum")] bool EdgeOptimum);
