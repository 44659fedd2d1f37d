using CsvHelper;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Race;

/// <summary>A row of <c>runs.csv</c>: one race run (tuning, main, stability or ablation).</summary>
[CsvRecord]
internal sealed partial record RaceRunRow(
    [property: CsvColumn("name")] string Name,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("kind")] string Kind,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("steps")] int Steps,
    [property: CsvColumn("final_val_loss")] double? FinalValLoss,
    [property: CsvColumn("diverged")] bool Diverged,
    [property: CsvColumn("diverged_at")] long? DivergedAt,
    [property: CsvColumn("wall_s"), CsvConverter(typeof(CsvFormats.FixedTwo))] double WallS,
    [property: CsvColumn("tokens_per_s"), CsvConverter(typeof(CsvFormats.Whole))] double TokensPerS,
    [property: CsvColumn("spikes")] int Spikes,
    [property: CsvColumn("spec")] string Spec)
{
    /// <summary>The row of <paramref name="r"/>.</summary>
    public static RaceRunRow Of(RaceRun r) =>
        new(r.Name, r.Optimizer, r.Kind, r.Seed, r.Lr, r.Steps, r.FinalValLoss, r.Diverged, r.DivergedAt, r.WallS, r.TokensPerS, r.Spikes.Count, r.Spec);
}

/// <summary>A row of <c>tuning.csv</c>: one lr of an entrant's tuning grid, its mean final validation loss and whether it was chosen.</summary>
[CsvRecord]
internal sealed partial record RaceTuningRow(
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("lr")] double Lr,
    [property: CsvColumn("final_val_loss")] double FinalValLoss,
    [property: CsvColumn("chosen")] bool Chosen,
    [property: CsvColumn("weight_decay")] double? WeightDecay,
    [property: CsvColumn("edge")] bool Edge)
{
    /// <summary>One row per lr of <paramref name="t"/>'s grid; <see cref="Edge"/> only on the chosen lr, when it sits at an edge.</summary>
    public static IEnumerable<RaceTuningRow> Of(RaceTuning t) =>
        t.Lrs.Select((lr, i) => new RaceTuningRow(t.Optimizer, lr, t.FinalValLoss[i], lr == t.BestLr, t.WeightDecays[i], lr == t.BestLr && (t.AtLowerEdge || t.AtUpperEdge)));
}

/// <summary>A row of <c>spikes.csv</c>: one loss spike of a (non-tuning) run, with the update statistics just before it.</summary>
[CsvRecord]
internal sealed partial record RaceSpikeRow(
    [property: CsvColumn("run")] string Run,
    [property: CsvColumn("optimizer")] string Optimizer,
    [property: CsvColumn("kind")] string Kind,
    [property: CsvColumn("step")] long Step,
    [property: CsvColumn("length")] int Length,
    [property: CsvColumn("loss")] double Loss,
    [property: CsvColumn("median")] double Median,
    [property: CsvColumn("peak_ratio")] double PeakRatio,
    [property: CsvColumn("update_max_before")] double? UpdateMaxBefore,
    [property: CsvColumn("update_mean_before")] double? UpdateMeanBefore,
    [property: CsvColumn("update_max_previous_step")] double? UpdateMaxAtPreviousStep)
{
    /// <summary>The rows of <paramref name="r"/>'s spikes.</summary>
    public static IEnumerable<RaceSpikeRow> Of(RaceRun r) =>
        r.Spikes.Select(s => new RaceSpikeRow(r.Name, r.Optimizer, r.Kind, s.Step, s.Length, s.Loss, s.Median, s.PeakRatio, s.UpdateMaxBefore, s.UpdateMeanBefore, s.UpdateMaxAtPreviousStep));
}
