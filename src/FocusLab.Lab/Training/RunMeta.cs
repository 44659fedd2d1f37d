using System.Text.Json;

namespace FocusLab.Lab.Training;

/// <summary>
/// The checkpoint's <c>meta-json</c> section and the run's <c>run.json</c>: what was trained, how, and
/// how far. On resume every field except <see cref="Step"/>, <see cref="TimeS"/> and (for a constant
/// schedule) <see cref="Steps"/> must match the new invocation.
/// </summary>
public sealed record RunMeta(
    string Format,
    string Kind,
    long Step,
    int Steps,
    string Optimizer,
    string Schedule,
    double? ClipNorm,
    int EvalEvery,
    double TimeS,
    IReadOnlyDictionary<string, string> Task)
{
    public const string CurrentFormat = "focuslab-train/1";

    public string ToJson() => JsonSerializer.Serialize(this, StepMetrics.JsonOptions);

    public static RunMeta FromJson(string json) =>
        JsonSerializer.Deserialize<RunMeta>(json, StepMetrics.JsonOptions) ?? throw new InvalidDataException("Empty run metadata.");

    /// <summary>
    /// Throws one message listing every difference that makes resuming <paramref name="saved"/> under
    /// these settings unfaithful. The optimizer specs are compared by value
    /// (<see cref="FocusLab.Optim.OptimizerFactory.Differences"/>: <c>lr=1e-3</c> equals <c>lr=0.001</c>).
    /// </summary>
    public void CheckResumableFrom(RunMeta saved, string path)
    {
        if (saved.Format != CurrentFormat)
            throw new InvalidDataException($"{path}: checkpoint format '{saved.Format}' is not '{CurrentFormat}'.");
        var mismatches = new List<string>();
        void Same(string what, object? was, object? now)
        {
            if (!Equals(was, now)) mismatches.Add($"{what} {was ?? "(none)"} → {now ?? "(none)"}");
        }
        Same("model", saved.Kind, Kind);
        mismatches.AddRange(FocusLab.Optim.OptimizerFactory.Differences(saved.Optimizer, Optimizer).Select(d => "--optimizer " + d));
        Same("--schedule", saved.Schedule, Schedule);
        Same("--clip", saved.ClipNorm, ClipNorm);
        Same("--eval-every", saved.EvalEvery, EvalEvery);
        if (saved.Schedule != "constant") Same("--steps (the schedule spans the whole run)", saved.Steps, Steps);
        foreach (var (key, value) in saved.Task)
            if (!Task.TryGetValue(key, out var now) || now != value)
                Same(key, value, now);
        if (mismatches.Count > 0)
            throw new ArgumentException($"Cannot resume {path}: this run asks for different settings than the saved one ({string.Join("; ", mismatches)}); pass the original settings or use another --out.");
        if (saved.Step > Steps)
            throw new ArgumentException($"Cannot resume {path}: it is already at step {saved.Step}, beyond --steps {Steps}.");
    }
}
