using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;
namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// One pseudo-update direction measured at one checkpoint. The line search's fields: <see cref="LineSearchInitialStep"/>
/// t₀ (the direction's own step scale), every step evaluated with its loss, the bracket that holds the minimum,
/// <see cref="BestStep"/> and <see cref="BestLossReduction"/> at it; <see cref="LineSearchEnoughPointsBelowStart"/> is
/// true when some step lowered the loss (descent found); <see cref="LineSearchCapped"/> when the loss still fell at
/// the cap, so the minimum lies beyond it (the reduction is then a lower bound, counted and flagged in the summary).
/// </summary>
public sealed record SharpnessMeasurement(
    string Optimizer,
    double Sharpness,
    double PlainSharpness,
    bool RobustForm,
    double RatioToSgd,
    double GradientCorrelation,
    double BestLossReduction,
    double BestStep,
    double LineSearchInitialStep,
    bool LineSearchEnoughPointsBelowStart,
    double[] LineSearchSteps,
    double[] LineSearchLosses,
    double LineSearchBracketLow = double.NaN,
    double LineSearchBracketHigh = double.NaN,
    bool LineSearchCapped = false);

/// <summary>A checkpoint of one trajectory: after <see cref="Step"/> optimizer steps of <see cref="Trajectory"/> with <see cref="Seed"/>.
/// <see cref="GaussNewton"/> is the robust-smoothness measurement of Pan &amp; Li's appendix D (null when off or not a classifier).</summary>
public sealed record SharpnessCheckpoint(string Trajectory, int Seed, int Step, double TrainLoss, double MeasureLoss, double GradientNorm, SharpnessMeasurement[] Rows,
    Diagnostics.GaussNewtonResult? GaussNewton = null);

/// <summary>Per trajectory and optimizer: medians over checkpoints and seeds; the mean best reduction is over bracketed
/// (not capped) searches only, and <see cref="CappedLineSearches"/> counts the searches whose minimum lay beyond the cap.</summary>
public sealed record SharpnessSummaryRow(string Trajectory, string Optimizer, int Count, double MedianSharpness, double MedianRatioToSgd, double MinRatioToSgd, double MaxRatioToSgd, double MeanBestLossReduction,
    int CappedLineSearches = 0);


/// <summary>Training losses of one run (the minibatch loss at every step).</summary>
public sealed record SharpnessTrainingCurve(string Trajectory, int Seed, double[] Losses);

public sealed record SharpnessReport(
    SharpnessStudyOptions Options,
    long Parameters,
    SharpnessCheckpoint[] Checkpoints,
    SharpnessSummaryRow[] Summary,
    PaperClaim[] Claims,
    SharpnessTrainingCurve[] TrainingCurves,
    double ElapsedSeconds)
{
    /// <summary>The Gauss–Newton measurement per trajectory (empty when it was off).</summary>
    public SharpnessGaussNewtonSummary[] GaussNewtonSummary => SharpnessGaussNewtonSummary.Summarise(Checkpoints);
}
