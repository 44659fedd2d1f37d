using FocusLab.Engine.Models;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Tuning;
using FocusLab.Optim.Schedules;

namespace FocusLab.Lab.Studies.Rotation;

/// <summary>‖H‖₁,₁/d (both Cauchy estimators) of the loss an optimizer trains on, at one checkpoint.</summary>
public sealed record NetworkRotationCheckpoint(int Step, double MeasureLoss, double L11IqrPerDimension, double L11MedianPerDimension, double RelativeErrorPerRow);

/// <summary>
/// One training run: an optimizer at one lr of the grid on the original or the rotated loss. <see cref="Best"/> marks
/// the lr chosen for this (optimizer, loss); only those runs are measured (<see cref="Checkpoints"/> empty otherwise).
/// A run that diverged stops there: its later losses are NaN and <see cref="FinalLoss"/> is NaN.
/// </summary>
public sealed record NetworkRotationRun(string Optimizer, string Spec, bool Rotated, int Seed, double[] Losses, double FinalLoss, NetworkRotationCheckpoint[] Checkpoints,
    double LearningRate = double.NaN, bool Best = true)
{
    public bool Diverged => !double.IsFinite(FinalLoss);
}

/// <summary>
/// The lr search's outcome for one optimizer on one loss: the final grid (ascending, extensions included), the mean final
/// loss over seeds per lr (NaN if any seed diverged) and its spread (sample standard deviation), the chosen lr, and whether
/// it is still at an edge of the grid after <see cref="Extensions"/> extensions.
/// </summary>
public sealed record NetworkRotationLearningRates(string Optimizer, bool Rotated, double[] LearningRates, double[] MeanFinalLoss, double BestLearningRate,
    double[]? StdFinalLoss = null, bool AtEdge = false, int Extensions = 0)
{
    /// <summary>The record of an <see cref="InteriorLrSearch"/> result.</summary>
    public static NetworkRotationLearningRates From(string optimizer, bool rotated, LrSearchResult search) => new(optimizer, rotated, search.Grid,
        search.Trials.Select(t => double.IsFinite(t.Mean) ? t.Mean : double.NaN).ToArray(), double.IsFinite(search.Best.Mean) ? search.BestLr : double.NaN,
        search.Trials.Select(t => t.Std).ToArray(), !search.Interior, search.Extensions);
}

public sealed record NetworkRotationReport(NetworkRotationOptions Options, long Parameters, (int A, int B, int C) RotationShape, NetworkRotationRun[] Runs, PaperClaim[] Claims, double ElapsedSeconds,
    NetworkRotationLearningRates[]? LearningRates = null)
{
    /// <summary>The runs at each (optimizer, loss)'s chosen lr: what the claims, the table and the figure show.</summary>
    public NetworkRotationRun[] BestRuns => Runs.Where(r => r.Best).ToArray();
}
