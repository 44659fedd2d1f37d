using System.Text.Json;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>What one (seed, trajectory) run of the sharpness study produced.</summary>
public sealed record SharpnessRunResult(SharpnessCheckpoint[] Checkpoints, SharpnessTrainingCurve Curve, long Parameters);

/// <summary>
/// The sharpness study's resumable store: every finished (seed, trajectory) run is written atomically to
/// <c>OUT/sharpness-runs/</c> as soon as it ends, so an interrupted study keeps the runs it finished and a rerun
/// reads them back instead of training them again. The runs are independent and deterministic, so a report
/// assembled from stored and fresh runs equals an uninterrupted one. <c>settings.json</c> holds the study's
/// settings (everything but the degree of parallelism); a folder of another study is refused.
/// </summary>
public sealed class SharpnessRunStore
{
    /// <summary>The store's folder inside a study's output folder.</summary>
    public const string FolderName = "sharpness-runs";

    // Tuples (the trajectories) are fields: include them, or the settings of two studies would look alike.
    private static readonly JsonSerializerOptions SettingsJson = new(StudyJson.Options) { IncludeFields = true };

    private readonly string _dir;

    /// <summary>Opens (or starts) the store of <paramref name="options"/> in <paramref name="outDir"/>.</summary>
    public SharpnessRunStore(string outDir, SharpnessStudyOptions options)
    {
        _dir = Path.Combine(outDir, FolderName);
        Directory.CreateDirectory(_dir);
        string settings = JsonSerializer.Serialize(options with { ParallelRuns = 1 }, SettingsJson);
        string path = Path.Combine(_dir, "settings.json");
        if (!File.Exists(path)) AtomicFile.WriteText(path, settings);
        else if (File.ReadAllText(path) != settings)
            throw new ArgumentException($"{_dir} holds runs of a sharpness study with other settings; use another --out, or delete that folder to start over.");
    }

    /// <summary>Number of finished runs in the store.</summary>
    public int Count => Directory.GetFiles(_dir, "run-*.json").Length;

    /// <summary>The stored run, or null when it has not finished yet.</summary>
    public SharpnessRunResult? TryLoad(string trajectory, int seed)
    {
        string path = PathOf(trajectory, seed);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SharpnessRunResult>(File.ReadAllText(path), StudyJson.Options)
                ?? throw new InvalidDataException("empty file");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} cannot be read ({e.Message}); delete it and the run is trained again.", e);
        }
    }

    /// <summary>Stores a finished run (atomically).</summary>
    public void Save(string trajectory, int seed, SharpnessRunResult run) =>
        AtomicFile.WriteText(PathOf(trajectory, seed), JsonSerializer.Serialize(run, StudyJson.Options));

    private string PathOf(string trajectory, int seed)
    {
        var safe = string.Concat(trajectory.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_'));
        return Path.Combine(_dir, $"run-{safe}-s{seed}.json");
    }
}
