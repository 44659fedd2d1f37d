using CsvHelper;

namespace FocusLab.Lab.Studies.Race;

/// <summary>
/// One entrant over all seeds: final validation loss mean ± sample std, the speed-up over adamw (mean ± std
/// over the seeds where it reached adamw's final loss; <see cref="Reached"/> of <see cref="Seeds"/>), the
/// paired difference L_adamw − L_opt (positive = better than adamw) and whether it is larger than the
/// spread (every seed has the same sign; needs ≥ 2 seeds), and whether its lr is an edge optimum.
/// Also a row of <c>summary.csv</c> (the column names below).
/// </summary>
[CsvRecord]
public sealed partial record RaceSummaryRow(
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("seeds")] int Seeds,
    [property: CsvColumn("final_mean")] double FinalMean,
    [property: CsvColumn("final_std")] double FinalStd,
    [property: CsvColumn("speedup_mean")] double? SpeedupMean,
    [property: CsvColumn("speedup_std")] double? SpeedupStd,
    [property: CsvColumn("reached")] int Reached,
    [property: CsvColumn("diff_vs_adamw")] double? DiffVsAdamw,
    [property: CsvColumn("diff_std")] double? DiffStd,
    [property: CsvColumn("larger_than_spread")] bool LargerThanSpread,
    [property: CsvColumn("edge_lr")] bool EdgeLr,
    [property: CsvColumn("diverged")] int Diverged);
