using FocusLab.Lab.Reports;
namespace FocusLab.Lab.Studies;

/// <summary>One pseudo-update direction measured at one checkpoint.</summary>
public sealed record SharpnessMeasurement(
    string Optimizer,
    double Sharpness,
    double PlainSharpness,
    bool RobustForm,
    double RatioToSgd,
    double GradientCorrelation,
    double BestLossReduction,
    double BestStep,
    double LineSearchBaseStep,
    bool LineSearchEnoughPointsBelowStart,
    double[] LineSearchSteps,
    double[] LineSearchLosses);

/// <summary>A checkpoint of one trajectory: after <see cref="Step"/> optimizer steps of <see cref="Trajectory"/> with <see cref="Seed"/>.
/// <see cref="GaussNewton"/> is the robust-smoothness measurement of Pan &amp; Li's appendix D (null when off or not a classifier).</summary>
public sealed record SharpnessCheckpoint(string Trajectory, int Seed, int Step, double TrainLoss, double MeasureLoss, double GradientNorm, SharpnessMeasurement[] Rows,
    Diagnostics.GaussNewtonResult? GaussNewton = null);

/// <summary>Per trajectory and optimizer: medians over checkpoints and seeds.</summary>
public sealed record SharpnessSummaryRow(string Trajectory, string Optimizer, int Count, double MedianSharpness, double MedianRatioToSgd, double MinRatioToSgd, double MaxRatioToSgd, double MeanBestLossReduction);


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
