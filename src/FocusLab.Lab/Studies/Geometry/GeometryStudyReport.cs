using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Studies.Geometry;

/// <summary>
/// The curvature of the loss version a run trained on, at its last step, on the measurement batch: ‖H‖₁,₁/d (the
/// ℓ∞ smoothness, Cauchy estimators), the spectral smoothness (<see cref="SpectralSmoothness"/>: best over starts,
/// every start's best, the winning start's curvature per iteration) and the ℓ2 top eigenvalue (Lanczos; the same for
/// every version at the same network, a built-in check).
/// </summary>
public sealed record GeometryMeasure(int Step, double MeasureLoss, double L11IqrPerDimension, double L11MedianPerDimension,
    double SpectralSmoothness, double[] SpectralPerStart, double[] SpectralHistory, double LambdaMax, bool LanczosConverged);

/// <summary>
/// One training run: an optimizer at one lr on one loss version and seed. <see cref="Best"/> marks the lr chosen for this
/// (optimizer, loss); only those runs are measured. A diverged run has NaN losses from there and a NaN final loss.
/// </summary>
public sealed record GeometryRun(string Optimizer, string Spec, string Loss, int Seed, double LearningRate, bool Best, double[] Losses, double FinalLoss, GeometryMeasure? Measure)
{
    /// <summary>True when the run's loss became non-finite.</summary>
    public bool Diverged => !double.IsFinite(FinalLoss);
}

/// <summary>One (optimizer, loss) lr search: the final grid (ascending), mean and spread of the final loss per lr (NaN: a seed diverged), the chosen lr.</summary>
public sealed record GeometryLearningRates(string Optimizer, string Loss, double[] LearningRates, double[] MeanFinalLoss, double[] StdFinalLoss, double BestLearningRate, bool AtEdge, int Extensions)
{
    /// <summary>The record of an <see cref="InteriorLrSearch"/> result.</summary>
    public static GeometryLearningRates From(string optimizer, string loss, LrSearchResult s) => new(optimizer, loss, s.Grid,
        s.Trials.Select(t => double.IsFinite(t.Mean) ? t.Mean : double.NaN).ToArray(), s.Trials.Select(t => t.Std).ToArray(),
        double.IsFinite(s.Best.Mean) ? s.BestLr : double.NaN, !s.Interior, s.Extensions);
}

/// <summary>
/// One predicted effect of a rotation on an optimizer, judged on the runs at each loss's best lr: per seed (same initial
/// network, same batches) the difference rotated − original of the final loss, its mean and sample spread.
/// <see cref="Prediction"/> is "unchanged" (the optimizer's geometry cannot see the rotation) or "hurt".
/// </summary>
public sealed record GeometryComparison(string Optimizer, string Rotation, string Prediction, double Original, double Rotated, double MeanDifference, double Spread,
    double RelativeChangePercent, int Seeds, bool AtEdge, string Verdict);

/// <summary>Everything the geometry study measured.</summary>
public sealed record GeometryStudyReport(GeometryStudyOptions Options, long Parameters, MatrixBlock[] Matrices, GeometryRun[] Runs,
    GeometryLearningRates[] LearningRates, GeometryComparison[] Comparisons, double ElapsedSeconds)
{
    /// <summary>The runs at each (optimizer, loss)'s chosen lr.</summary>
    public GeometryRun[] BestRuns => Runs.Where(r => r.Best).ToArray();
}
