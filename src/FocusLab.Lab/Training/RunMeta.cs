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

    /// <summary>Throws with the first difference that makes resuming <paramref name="saved"/> under these settings unfaithful.</summary>
    public void CheckResumableFrom(RunMeta saved, string path)
    {
        if (saved.Format != CurrentFormat)
            throw new InvalidDataException($"{path}: checkpoint format '{saved.Format}' is not '{CurrentFormat}'.");
        void Same(string what, object? was, object? now)
        {
            if (!Equals(was, now))
                throw new ArgumentException($"Cannot resume {path}: it was written with {what} {was ?? "(none)"}, but this run asks for {now ?? "(none)"}; pass the original setting or use another --out.");
        }
        Same("model", saved.Kind, Kind);
        Same("optimizer", saved.Optimizer, Optimizer);
        Same("schedule", saved.Schedule, Schedule);
        Same("--clip", saved.ClipNorm, ClipNorm);
        Same("--eval-every", saved.EvalEvery, EvalEvery);
        if (saved.Schedule != "constant") Same("--steps (the schedule spans the whole run)", saved.Steps, Steps);
        foreach (var (key, value) in saved.Task)
            if (!Task.TryGetValue(key, out var now) || now != value)
                Same(key, value, now);
        if (saved.Step > Steps)
            throw new ArgumentException($"Cannot resume {path}: it is already at step {saved.Step}, beyond --steps {Steps}.");
    }
}
