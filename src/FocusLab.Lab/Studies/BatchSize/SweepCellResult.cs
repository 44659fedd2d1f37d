using System.Text.Json;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// One finished sweep run, one line of <c>cells*.jsonl</c>. <see cref="Score"/> is the final test loss,
/// or <see cref="SweepScoring.DivergedLoss"/> when the run diverged (as the FOCUS authors counted it).
/// </summary>
public sealed record SweepCellResult(
    string Optimizer,
    int Batch,
    int LrIndex,
    double Lr,
    int Replicate,
    int Seed,
    double Score,
    double? TestLoss,
    double? Accuracy,
    bool Diverged,
    long? DivergedAtStep,
    double WallS,
    double[][]? EvalCurve = null)
{
    public SweepCellKey Key => new(Optimizer, Batch, LrIndex, Replicate);

    public string ToJson() => JsonSerializer.Serialize(this, StudyJson.Options);

    public static SweepCellResult FromJson(string line) =>
        JsonSerializer.Deserialize<SweepCellResult>(line, StudyJson.Options) ?? throw new InvalidDataException("Empty cell line.");

    /// <summary>
    /// What two computations of the same cell must agree on: everything but the wall time; for a run scored as
    /// diverged only its key and score, since an early stop (<see cref="SweepPolicy"/>) may end it at another
    /// step with another (meaningless) loss.
    /// </summary>
    public bool SameOutcome(SweepCellResult other) =>
        Diverged && other.Diverged
            ? Key == other.Key && Lr.Equals(other.Lr) && Seed == other.Seed && Score.Equals(other.Score)
            : (this with { WallS = 0, EvalCurve = null }) == (other with { WallS = 0, EvalCurve = null });
}
