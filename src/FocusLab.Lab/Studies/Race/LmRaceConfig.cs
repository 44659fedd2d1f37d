using System.Globalization;
using System.Text.Json;
using FocusLab.Engine.Models;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;

namespace FocusLab.Lab.Studies.Race;

/// <summary>
/// A race entrant: label, spec without lr, and the peak lrs tried on the short tuning run.
/// <see cref="S3DecayFromAdamW"/>: the weight decay is set to lr_adamw·wd_adamw/lr after tuning, so the
/// product lr·wd matches adamw's (S3 paper's rule; docs/equations.md#s3).
/// <see cref="AuxiliaryAdamW"/> (muon): the tensors muon does not take (embeddings, head, biases, gains) are
/// stepped by the race's adamw entrant at adamw's tuned lr, so the entrant differs from adamw only on the
/// weight matrices (docs/equations.md#muon).
/// <see cref="ScheduleFree"/> (schedulefree_adamw): no lr schedule — a constant lr after the optimizer's own
/// linear warm-up over the race's warm-up steps (docs/equations.md#schedulefree_adamw).
/// </summary>
public sealed record RaceOptimizer(string Label, string Spec, double[] LrGrid, bool S3DecayFromAdamW = false,
    bool AuxiliaryAdamW = false, bool ScheduleFree = false)
{
    /// <summary>True when the entrant's runs need adamw's tuned lr (s3's weight decay, muon's auxiliary lr).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool WaitsForAdamW => S3DecayFromAdamW || AuxiliaryAdamW;

    /// <summary>
    /// The full spec at <paramref name="lr"/>: with <paramref name="weightDecay"/> when given, the optimizer's
    /// own warm-up when <paramref name="warmupSteps"/> is given and the entrant is schedule-free, and
    /// <paramref name="auxiliary"/> as muon's <c>aux=</c> part (last: muon reads everything after it).
    /// </summary>
    public string WithLr(double lr, double? weightDecay = null, int? warmupSteps = null, string? auxiliary = null)
    {
        var spec = new SweepOptimizer(Label, Spec).WithLr(lr);
        if (weightDecay is { } wd) spec += ",weight_decay=" + wd.ToString("R", CultureInfo.InvariantCulture);
        if (ScheduleFree && warmupSteps is { } w) spec += ",warmup_steps=" + w.ToString(CultureInfo.InvariantCulture);
        if (auxiliary is not null) spec += ",aux=" + auxiliary;
        return spec;
    }
}

/// <summary>
/// Settings of the language-model race (FOCUS fig. 3, S3 table 2; docs/equations.md#lm-race): the GPT on a byte-level
/// corpus, warm-up + cosine schedule, global-norm clip, adamw vs signum vs focus vs s3 vs lion, and muon,
/// schedulefree_adamw, sophia and adam_mini (<see cref="GeometryEntrants"/>). Each
/// entrant's peak lr is tuned on its own grid (sign-based methods centred lower than adamw, as they take
/// steps of size lr in every coordinate), extended at an edge optimum up to <see cref="MaxLrExtensions"/>
/// times (<see cref="Tuning.InteriorLrSearch"/>), by the mean final validation loss over the first
/// <see cref="TuneSeeds"/> seeds.
/// </summary>
public sealed record LmRaceConfig(
    string Preset,
    int Layers, int Heads, int Embedding, int BlockSize, int Batch,
    int TuneSteps, int Steps, int EvalEvery, int EvalBatches,
    double WarmupFraction, double Floor, double Clip,
    int[] Seeds,
    RaceOptimizer[] Optimizers,
    int TuneSeeds = 1,
    int MaxLrExtensions = 2)
{
    /// <summary>The race's first five entrants: adamw (β 0.9/0.95, wd 0.1), signum, focus (β 0.9/0.99, γ 0.2, wd 0.2), s3 (β 0.95, p 3), lion.</summary>
    public static RaceOptimizer[] Entrants(double[] adamLrs, double[] signLrs, double[] s3Lrs, double[] lionLrs) =>
    [
        new("adamw", "adamw:beta1=0.9,beta2=0.95,weight_decay=0.1", adamLrs),
        new("signum", "signum:beta1=0.9,weight_decay=0.2", signLrs),
        new("focus", "focus:beta1=0.9,beta2=0.99,gamma=0.2,weight_decay=0.2", signLrs),
        new("s3", "s3:beta1=0.95,beta2=0.95,p=3,nesterov=true", s3Lrs, S3DecayFromAdamW: true),
        new("lion", "lion:beta1=0.9,beta2=0.99,weight_decay=0.2", lionLrs),
    ];

    /// <summary>
    /// The geometry family (docs/equations.md#muon and the three after it), each with its papers' settings:
    /// muon (momentum 0.95, Nesterov, 5 Newton–Schulz steps, wd 0.01 as in Jordan et al.'s reference; the
    /// other tensors by the adamw entrant at adamw's tuned lr); schedulefree_adamw (β1 0.9, and β2 0.95 and
    /// wd 0.1 as the race's adamw, so the averaging is the only change; constant lr after its own warm-up);
    /// sophia (SophiaG: β 0.965/0.99, ρ 0.04, wd 0.1, the Hessian every 10 steps; bs = tokens per batch);
    /// adam_mini (Adam-mini's partition, adamw's β 0.9/0.95 and wd 0.1).
    /// </summary>
    public static RaceOptimizer[] GeometryEntrants(double[] muonLrs, double[] scheduleFreeLrs, double[] sophiaLrs, double[] adamMiniLrs) =>
    [
        new("muon", "muon:momentum=0.95,nesterov=true,ns_steps=5,weight_decay=0.01", muonLrs, AuxiliaryAdamW: true),
        new("schedulefree_adamw", "schedulefree_adamw:beta1=0.9,beta2=0.95,weight_decay=0.1", scheduleFreeLrs, ScheduleFree: true),
        new("sophia", "sophia:beta1=0.965,beta2=0.99,rho=0.04,weight_decay=0.1", sophiaLrs),
        new("adam_mini", "adam_mini:beta1=0.9,beta2=0.95,weight_decay=0.1", adamMiniLrs),
    ];

    /// <summary>Muon's matrix lr grid, the same for both presets: centred on Jordan et al.'s 0.02 (muon's
    /// spectral step does not scale with width), ×√10 apart.</summary>
    private static double[] MuonGrid => Grid(0.02 / Math.Sqrt(10), 0.02 * Math.Sqrt(10));

    /// <summary>Every entrant the quick preset can run: the five, then muon, schedulefree_adamw (3× adamw's grid),
    /// sophia and adam_mini (adamw's grid).</summary>
    private static RaceOptimizer[] QuickEntrants() =>
        [.. Entrants(Grid(1e-3, 1e-2), Grid(3e-4, 3e-3), Grid(3e-3, 3e-2), Grid(1e-4, 1e-3)),
         .. GeometryEntrants(MuonGrid, Grid(3e-3, 3e-2), Grid(1e-3, 1e-2), Grid(1e-3, 1e-2))];

    /// <summary>Every entrant the full preset can run (grids as for quick, one √10 step lower except muon's).</summary>
    private static RaceOptimizer[] FullEntrants() =>
        [.. Entrants(Grid(3e-4, 3e-3), Grid(1e-4, 1e-3), Grid(1e-3, 1e-2), Grid(3e-5, 3e-4)),
         .. GeometryEntrants(MuonGrid, Grid(1e-3, 1e-2), Grid(3e-4, 3e-3), Grid(3e-4, 3e-3))];

    /// <summary>
    /// Under 10 minutes on two shared cores: a 2-layer, 64-wide GPT, block 64, batch 8; 80 tuning steps
    /// (adamw, sophia, adam_mini 1e-3..1e-2; signum/focus 3e-4..3e-3; s3 and schedulefree_adamw 3e-3..3e-2;
    /// lion 1e-4..1e-3; muon 6.3e-3..6.3e-2, each ×√10 apart and extended at an edge), then 400 steps,
    /// 1 seed, all nine entrants — a smoke test, not a verdict.
    /// </summary>
    public static LmRaceConfig Quick() => new("quick", 2, 2, 64, 64, 8, 80, 400, 25, 4, 0.1, 0.1, 1.0, [1], QuickEntrants());

    /// <summary>
    /// The issue's benchmark GPT (4 layers, 4 heads, 128 wide, block 64, batch 16), 200 tuning steps on 2 seeds,
    /// 2000 steps, 3 seeds; the first five entrants by default (<see cref="WithEntrants"/> adds the others to
    /// the same output folder, reusing its finished runs).
    /// </summary>
    public static LmRaceConfig Full() => new("full", 4, 4, 128, 64, 16, 200, 2000, 100, 16, 0.1, 0.1, 1.0, [1, 2, 3],
        FullEntrants()[..5], TuneSeeds: 2);

    /// <summary>Every entrant a preset knows, its default ones first.</summary>
    public static RaceOptimizer[] Available(string preset) => preset switch
    {
        "quick" => QuickEntrants(),
        "full" => FullEntrants(),
        _ => throw new ArgumentException($"Unknown preset '{preset}'; use quick or full."),
    };

    /// <summary>
    /// This preset's race with the entrants <paramref name="labels"/> (adamw is always added: its final loss is
    /// the target), in the preset's order. An unknown label is refused with the valid ones listed.
    /// </summary>
    public LmRaceConfig WithEntrants(IEnumerable<string> labels)
    {
        var available = Available(Preset);
        var wanted = labels.Select(l => l.Trim()).Where(l => l.Length > 0).Append("adamw").ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(w => available.All(o => o.Label != w)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--optimizers: unknown {string.Join(", ", unknown)}; choose from {string.Join(",", available.Select(o => o.Label))}.");
        return this with { Optimizers = available.Where(o => wanted.Contains(o.Label)).ToArray() };
    }

    /// <summary>Three lrs from <paramref name="lo"/> to <paramref name="hi"/>, ×√(hi/lo) apart.</summary>
    public static double[] Grid(double lo, double hi) => [lo, Math.Sqrt(lo * hi), hi];

    public static LmRaceConfig FromPreset(string name) => name switch
    {
        "quick" => Quick(),
        "full" => Full(),
        _ => throw new ArgumentException($"Unknown preset '{name}'; use quick or full."),
    };

    /// <summary>The warm-up steps of a run of <paramref name="steps"/> steps (the cosine schedule's, and schedule-free's own).</summary>
    public int WarmupSteps(int steps) => (int)Math.Round(WarmupFraction * steps);

    public GptConfig Gpt => new(256, BlockSize, Layers, Heads, Embedding);

    public string Schedule(int steps) => $"cosine:warmup={WarmupSteps(steps)},floor={Floor.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>The seeds the tuning runs use (the first <see cref="TuneSeeds"/> of <see cref="Seeds"/>).</summary>
    public int[] TuningSeeds => Seeds.Take(TuneSeeds).ToArray();

    public void Validate()
    {
        Gpt.Validate();
        if (Batch < 1 || TuneSteps < 1 || Steps < 1 || EvalEvery < 1 || EvalBatches < 1)
            throw new ArgumentException("Batch, tuning steps, steps, eval interval and eval batches must all be ≥ 1.");
        if (Seeds.Length == 0) throw new ArgumentException("Give at least one seed.");
        if (TuneSeeds < 1 || TuneSeeds > Seeds.Length) throw new ArgumentException($"The tuning seeds ({TuneSeeds}) must be between 1 and the number of seeds ({Seeds.Length}).");
        if (MaxLrExtensions < 0) throw new ArgumentException("--lr-extensions must be ≥ 0.");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException("The warm-up fraction must be in [0, 1).");
        if (!Optimizers.Any(o => o.Label == "adamw")) throw new ArgumentException("The race needs adamw (its final loss is the target).");
        if (Optimizers.Any(o => o.LrGrid.Length == 0)) throw new ArgumentException("Every optimizer needs at least one lr.");
        if (MaxLrExtensions > 0 && Optimizers.Any(o => o.LrGrid.Length < 2)) throw new ArgumentException("An extensible lr grid needs at least two lrs per optimizer (or --lr-extensions 0).");
    }

    public string ToJson() => JsonSerializer.Serialize(this, StudyJson.Options);

    /// <summary>
    /// The race an output folder holds after this race is added to <paramref name="stored"/> (the folder's
    /// race-config.json): every setting but the entrants must match, and an entrant in both must have the same
    /// spec and grid; entrants new to the folder are appended, so their runs join the finished ones, which are
    /// reused. Throws naming what differs otherwise. Compared through this type, so a store written before a
    /// field was added (with its default) still matches.
    /// </summary>
    public LmRaceConfig JoinStored(LmRaceConfig stored, string path)
    {
        string Settings(LmRaceConfig c) => (c with { Optimizers = [] }).ToJson();
        if (Settings(stored) != Settings(this))
            throw new ArgumentException($"{Path.GetDirectoryName(path)} holds a race with different settings ({path}); use another --out or the same settings.");
        foreach (var o in Optimizers)
            if (stored.Optimizers.FirstOrDefault(x => x.Label == o.Label) is { } old
                && JsonSerializer.Serialize(old, StudyJson.Options) != JsonSerializer.Serialize(o, StudyJson.Options))
                throw new ArgumentException($"{Path.GetDirectoryName(path)} holds a race whose entrant {o.Label} has other settings ({path}); use another --out.");
        return stored with { Optimizers = [.. stored.Optimizers, .. Optimizers.Where(o => stored.Optimizers.All(x => x.Label != o.Label))] };
    }

    /// <summary>Reads a race-config.json written by <see cref="ToJson"/>.</summary>
    public static LmRaceConfig FromJson(string json, string path) =>
        JsonSerializer.Deserialize<LmRaceConfig>(json, StudyJson.Options)
        ?? throw new InvalidDataException($"{path} is not a race configuration; delete it or use another --out.");
}
