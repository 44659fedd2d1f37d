using CsvHelper;

namespace FocusLab.Lab.Studies.Valley;

/// <summary>A row of <c>trajectory.csv</c>: one optimizer's position and loss on the valley after <see cref="Step"/> steps.</summary>
[CsvRecord]
public sealed partial record TrajectoryRow(
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("x")] double X,
    [property: CsvColumn("y")] double Y,
    [property: CsvColumn("loss")] double Loss);

/// <summary>
/// A row of <c>loss_curves.csv</c>: one optimizer's loss after <see cref="Step"/> steps, averaged over the replicates
/// that did not diverge (<see cref="DivergedReplicates"/> counts the others; NaN when all did).
/// </summary>
[CsvRecord]
public sealed partial record LossCurveRow(
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("mean_loss")] double MeanLoss,
    [property: CsvColumn("diverged_replicates")] int DivergedReplicates);
