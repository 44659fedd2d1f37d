using CsvHelper;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>A row of <c>sharpness_{model}.csv</c>: one pseudo-update direction measured at one checkpoint.</summary>
[CsvRecord]
[CsvOptions(TrueValues = new[] { "true" }, FalseValues = new[] { "false" })]
internal sealed partial record SharpnessRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("trajectory")] string Trajectory,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("train_loss")] double TrainLoss,
    [property: CsvColumn("measure_loss")] double MeasureLoss,
    [property: CsvColumn("gradient_norm")] double GradientNorm,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("sharpness")] double Sharpness,
    [property: CsvColumn("plain_sharpness")] double PlainSharpness,
    [property: CsvColumn("robust_form")] bool RobustForm,
    [property: CsvColumn("ratio_to_sgd")] double RatioToSgd,
    [property: CsvColumn("gradient_correlation")] double GradientCorrelation,
    [property: CsvColumn("best_loss_reduction")] double BestLossReduction,
    [property: CsvColumn("best_step")] double BestStep,
    [property: CsvColumn("line_search_initial_step")] double LineSearchInitialStep,
    [property: CsvColumn("line_search_bracket_low")] double LineSearchBracketLow,
    [property: CsvColumn("line_search_bracket_high")] double LineSearchBracketHigh,
    [property: CsvColumn("line_search_descent")] bool LineSearchDescent,
    [property: CsvColumn("line_search_capped")] bool LineSearchCapped)
{
    /// <summary>The row of direction <paramref name="m"/> at checkpoint <paramref name="c"/>.</summary>
    public static SharpnessRow Of(string model, SharpnessCheckpoint c, SharpnessMeasurement m) =>
        new(model, c.Trajectory, c.Seed, c.Step, c.TrainLoss, c.MeasureLoss, c.GradientNorm, m.Optimizer, m.Sharpness, m.PlainSharpness, m.RobustForm,
            m.RatioToSgd, m.GradientCorrelation, m.BestLossReduction, m.BestStep, m.LineSearchInitialStep, m.LineSearchBracketLow, m.LineSearchBracketHigh,
            m.LineSearchEnoughPointsBelowStart, m.LineSearchCapped);
}

/// <summary>
/// A row of <c>sharpness_{model}_linesearch.csv</c>: one line search (checkpoint × direction) — the direction's own
/// initial step, the bracket, the minimum, whether it was capped, and every evaluated step with its loss (';'-separated).
/// </summary>
[CsvRecord]
[CsvOptions(TrueValues = new[] { "true" }, FalseValues = new[] { "false" })]
internal sealed partial record LineSearchRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("trajectory")] string Trajectory,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("start_loss")] double StartLoss,
    [property: CsvColumn("initial_step")] double InitialStep,
    [property: CsvColumn("bracket_low")] double BracketLow,
    [property: CsvColumn("bracket_high")] double BracketHigh,
    [property: CsvColumn("best_step")] double BestStep,
    [property: CsvColumn("best_loss_reduction")] double BestLossReduction,
    [property: CsvColumn("descent_found")] bool DescentFound,
    [property: CsvColumn("capped")] bool Capped,
    [property: CsvColumn("steps"), CsvConverter(typeof(CsvFormats.SemicolonList))] double[] Steps,
    [property: CsvColumn("losses"), CsvConverter(typeof(CsvFormats.SemicolonList))] double[] Losses)
{
    /// <summary>The row of direction <paramref name="m"/>'s line search at checkpoint <paramref name="c"/>.</summary>
    public static LineSearchRow Of(string model, SharpnessCheckpoint c, SharpnessMeasurement m) =>
        new(model, c.Trajectory, c.Seed, c.Step, m.Optimizer, c.MeasureLoss, m.LineSearchInitialStep, m.LineSearchBracketLow, m.LineSearchBracketHigh,
            m.BestStep, m.BestLossReduction, m.LineSearchEnoughPointsBelowStart, m.LineSearchCapped, m.LineSearchSteps, m.LineSearchLosses);
}

/// <summary>
/// A row of <c>sharpness_{model}_gauss_newton.csv</c>: the Gauss–Newton robust-smoothness measurement (Pan &amp; Li,
/// appendix D) at one checkpoint with one removal criterion.
/// </summary>
[CsvRecord]
[CsvOptions(TrueValues = new[] { "true" }, FalseValues = new[] { "false" })]
internal sealed partial record GaussNewtonRow(
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("trajectory")] string Trajectory,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("samples")] int Samples,
    [property: CsvColumn("classes")] int Classes,
    [property: CsvColumn("dimension")] int Dimension,
    [property: CsvColumn("spectral_norm")] double SpectralNorm,
    [property: CsvColumn("criterion")] string Criterion,
    [property: CsvColumn("candidates")] string Candidates,
    [property: CsvColumn("candidate_count")] int CandidateCount,
    [property: CsvColumn("threshold_factor")] double ThresholdFactor,
    [property: CsvColumn("mean_norm")] double MeanNorm,
    [property: CsvColumn("max_norm")] double MaxNorm,
    [property: CsvColumn("threshold")] double Threshold,
    [property: CsvColumn("removed")] int Removed,
    [property: CsvColumn("fraction_removed")] double FractionRemoved,
    [property: CsvColumn("reduced_spectral_norm")] double ReducedSpectralNorm,
    [property: CsvColumn("ratio")] double Ratio,
    [property: CsvColumn("converged")] bool Converged,
    [property: CsvColumn("seconds"), CsvConverter(typeof(CsvFormats.FixedTwo))] double Seconds)
{
    /// <summary>The row of removal criterion <paramref name="cut"/> of measurement <paramref name="g"/> at checkpoint <paramref name="c"/>.</summary>
    public static GaussNewtonRow Of(string model, SharpnessCheckpoint c, Diagnostics.GaussNewtonResult g, Diagnostics.GaussNewtonCut cut) =>
        new(model, c.Trajectory, c.Seed, c.Step, g.Samples, g.Classes, g.Dimension, g.SpectralNorm, cut.Criterion, cut.Candidates, cut.CandidateCount,
            cut.ThresholdFactor, cut.MeanNorm, cut.MaxNorm, cut.Threshold, cut.Removed, cut.FractionRemoved, cut.ReducedSpectralNorm, cut.Ratio,
            g.Converged && cut.Converged, g.Seconds);
}
