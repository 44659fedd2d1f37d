using System.Text.Json;
using System.Text.Json.Serialization;

namespace FocusLab.Lab.Training;

/// <summary>
/// One line of <c>metrics.jsonl</c>. Evaluation fields are null except at evaluation steps; update
/// statistics (mean, max of |Δθ|/η over all coordinates and the fraction above 1, docs/equations.md#update-statistics) are null
/// when not tracked. <see cref="TimeS"/> is the cumulative training wall time (the only field that
/// differs between a resumed and an uninterrupted run).
/// </summary>
public sealed record StepMetrics(
    long Step,
    double Lr,
    double TrainLoss,
    double? EvalLoss,
    double? Accuracy,
    double GradNorm,
    double? UpdateMean,
    double? UpdateMax,
    double? UpdateFractionAboveOne,
    double TimeS)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A diverged step's loss is not finite; keep it readable rather than failing to log.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static StepMetrics FromJson(string line) =>
        JsonSerializer.Deserialize<StepMetrics>(line, JsonOptions) ?? throw new InvalidDataException($"Not a metrics line: {line}");
}
