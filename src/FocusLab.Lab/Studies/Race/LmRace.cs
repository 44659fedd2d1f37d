using System.Text.Json;
using FocusLab.Engine.Data.Text;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Training;
using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Studies.Race;

/// <summary>One finished race run (tuning, main, stability or ablation).</summary>
public sealed record RaceRun(
    string Name, string Optimizer, string Kind, int Seed, double Lr, string Spec, int Steps,
    double? FinalValLoss, bool Diverged, long? DivergedAt, double WallS, double TokensPerS,
    double[][] ValCurve, double[] TrainLoss, List<Spike> Spikes)
{
    /// <summary>First evaluated step whose validation loss is ≤ <paramref name="target"/>, or null.</summary>
    public long? StepsToReach(double target) =>
        ValCurve.FirstOrDefault(p => p[1] <= target) is { } p ? (long)p[0] : null;
}

/// <summary>
/// An entrant's tuning: the mean final validation loss over the tuning seeds at each lr of its final grid
/// (ascending; +∞ when a seed diverged), the chosen lr, and whether the choice still sits at an edge after
/// <see cref="Extensions"/> extensions.
/// </summary>
public sealed record RaceTuning(string Optimizer, double[] Lrs, double?[] WeightDecays, double[] FinalValLoss, double BestLr, double? WeightDecay,
    int Extensions = 0, bool AtLowerEdge = false, bool AtUpperEdge = false);

/// <summary>How an entrant compares with adamw at one seed: steps to reach adamw's final validation loss and the ratio.</summary>
public sealed record RaceComparison(string Optimizer, int Seed, double? Target, long? AdamwSteps, long? Steps, double? Speedup, double? FinalValLoss, double WallS, int Spikes, bool Diverged);

public sealed record LmRaceResult(LmRaceConfig Config, List<RaceTuning> Tuning, List<RaceRun> Runs, List<RaceComparison> Comparisons, List<RaceSummaryRow> Summary);

/// <summary>
/// The language-model race (FOCUS fig. 3, S3 table 2): for each entrant, short runs over its lr grid on the
/// tuning seeds pick the peak lr (<see cref="InteriorLrSearch"/>: lowest mean final validation loss, a
/// diverged seed disqualifies an lr, the grid grows at an edge optimum); then a full run per seed at that
/// lr, and the paper's literal comparison — focus at adamw's tuned lr with its other settings — as the
/// entrant <see cref="FocusAtAdamwLr"/>. Optional: the stability probe (3× and 10× the tuned lr) and the S3
/// ablation. Every run is a <see cref="Trainer"/> run in its own folder (metrics.jsonl, checkpoint,
/// <c>done.json</c>), so an interrupted race resumes: finished runs are read back, unfinished ones
/// continue from their checkpoint. With a <see cref="Shard"/> a process trains only its share — the
/// tuning of entrants k ≡ i (mod N), then the later runs j ≡ i (mod N) whose lr is known — and leaves
/// the rest <see cref="Pending"/>; rerunning the shards after the others finished completes the race, and
/// any process then assembles the same result from the run folders.
/// </summary>
public sealed class LmRace(LmRaceConfig config, TextCorpus corpus, string outDir)
{
    /// <summary>The label of the paper's literal comparison: focus at adamw's tuned lr.</summary>
    public const string FocusAtAdamwLr = "focus_at_adamw_lr";

    /// <summary>Sophia's k: its Gauss–Newton–Bartlett Hessian estimate is refreshed every k = 10 steps (Liu et al. 2023).</summary>
    public const int HessianEvery = 10;

    /// <summary>Called when a run starts (name, index, total estimate) and returns the progress sink for it.</summary>
    public Func<string, ITrainingProgress?>? ProgressFor { get; init; }

    public bool Stability { get; init; }

    public bool Ablation { get; init; }

    /// <summary>Which runs this process trains (default: all).</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>Train nothing: only assemble the result from finished run folders (<c>--merge</c>).</summary>
    public bool MergeOnly { get; init; }

    /// <summary>After <see cref="Run"/>: what this process could not do (owned by another shard, or waiting for a tuning).</summary>
    public List<string> Pending { get; } = [];

    /// <summary>Runs (or reads back) this process's share; returns the race when every run is done, else null (see <see cref="Pending"/>).</summary>
    public LmRaceResult? Run(CancellationToken cancel = default)
    {
        config.Validate();
        Directory.CreateDirectory(outDir);
        CheckConfig();
        Pending.Clear();
        var runs = new List<RaceRun>();
        var tuning = new List<RaceTuning>();
        var tuned = new Dictionary<string, (double Lr, double? Wd, bool Edge)>();

        // adamw first: s3's weight decay and the paper's literal focus row use adamw's tuned lr.
        var entrants = config.Optimizers.Select((o, k) => (o, k)).OrderBy(e => e.o.Label == "adamw" ? 0 : 1).ToList();
        foreach (var (o, k) in entrants)
        {
            if (o.WaitsForAdamW && !tuned.ContainsKey("adamw")) { Pending.Add($"tuning of {o.Label} (waits for adamw's)"); continue; }
            bool own = !MergeOnly && Shard.Owns(k);
            var tuneRuns = new List<RaceRun>();
            try
            {
                var search = InteriorLrSearch.Run(o.LrGrid, lr => config.TuningSeeds.Select(seed =>
                {
                    double? wd = DecayFor(o, lr, tuned);
                    var r = Get(TuneName(o.Label, lr, seed), o.Label, "tune", seed, lr, SpecOf(o, lr, wd, config.TuneSteps, tuned), config.TuneSteps, o.ScheduleFree, own, cancel);
                    tuneRuns.Add(r);
                    return r.Diverged || r.FinalValLoss is null ? double.PositiveInfinity : r.FinalValLoss.Value;
                }).ToArray(), config.MaxLrExtensions);
                double? bestWd = DecayFor(o, search.BestLr, tuned);
                tuned[o.Label] = (search.BestLr, bestWd, !search.Interior);
                tuning.Add(new RaceTuning(o.Label, search.Grid, search.Grid.Select(lr => DecayFor(o, lr, tuned)).ToArray(),
                    search.Trials.Select(t => t.Mean).ToArray(), search.BestLr, bestWd, search.Extensions, search.AtLowerEdge, search.AtUpperEdge));
                runs.AddRange(tuneRuns.OrderBy(r => r.Lr).ThenBy(r => r.Seed));
            }
            catch (PendingRunException e) { Pending.Add($"tuning of {o.Label} ({e.Message})"); }
        }

        int j = 0;
        void Later(string name, string label, string kind, int seed, string[] needs, Func<(double Lr, string Spec)> spec, bool scheduleFree = false)
        {
            bool own = !MergeOnly && Shard.Owns(j++);
            if (needs.Any(n => !tuned.ContainsKey(n))) { Pending.Add($"{name} (waits for the tuning of {string.Join(", ", needs.Where(n => !tuned.ContainsKey(n)))})"); return; }
            var (lr, sp) = spec();
            try { runs.Add(Get(name, label, kind, seed, lr, sp, config.Steps, scheduleFree, own, cancel)); }
            catch (PendingRunException) { Pending.Add(name); }
        }

        foreach (var o in config.Optimizers)
            foreach (int seed in config.Seeds)
                Later($"runs/{o.Label}/seed{seed}", o.Label, "main", seed, [o.Label], () => (tuned[o.Label].Lr, SpecOf(o, tuned[o.Label].Lr, tuned[o.Label].Wd, config.Steps, tuned)), o.ScheduleFree);
        if (config.Optimizers.FirstOrDefault(o => o.Label == "focus") is { } focus)
            foreach (int seed in config.Seeds)
                Later($"runs/{FocusAtAdamwLr}/seed{seed}", FocusAtAdamwLr, "main", seed, ["adamw"], () => (tuned["adamw"].Lr, focus.WithLr(tuned["adamw"].Lr)));

        int seed0 = config.Seeds[0];
        if (Stability)
            foreach (var o in config.Optimizers)
                foreach (int m in new[] { 3, 10 })
                    Later($"stability/{o.Label}/x{m}", o.Label, $"x{m}", seed0, [o.Label], () => (tuned[o.Label].Lr * m, SpecOf(o, tuned[o.Label].Lr * m, tuned[o.Label].Wd, config.Steps, tuned)), o.ScheduleFree);

        if (Ablation && config.Optimizers.FirstOrDefault(o => o.Label == "s3") is { } s3)
        {
            (string Name, bool AdamLr, Func<string, string> Change)[] variants =
            [
                ("no_nesterov", false, sp => sp.Replace("nesterov=true", "nesterov=false")),
                ("p2", false, sp => sp.Replace("p=3", "p=2")),
                ("separate_betas", false, sp => sp.Replace("beta1=0.95", "beta1=0.9")),
                ("adamw_lr", true, sp => sp),
            ];
            foreach (var v in variants)
                Later($"ablation/s3-{v.Name}", "s3-" + v.Name, "ablation", seed0, ["s3", "adamw"], () => v.AdamLr
                    ? (tuned["adamw"].Lr, s3.WithLr(tuned["adamw"].Lr, 0.1))
                    : (tuned["s3"].Lr, v.Change(s3.WithLr(tuned["s3"].Lr, tuned["s3"].Wd))));
        }

        if (Pending.Count > 0) return null;
        var comparisons = Compare(config, runs);
        var edges = tuned.ToDictionary(t => t.Key, t => t.Value.Edge);
        edges[FocusAtAdamwLr] = tuned.TryGetValue("adamw", out var a) && a.Edge;
        return new LmRaceResult(config, tuning, runs, comparisons, Summarize(runs, comparisons, edges));
    }

    private static string TuneName(string label, double lr, int seed) =>
        $"tune/{label}/lr{lr.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}/seed{seed}";

    /// <summary>For each main run: steps to reach adamw's final validation loss (same seed) and the speed-up over adamw.</summary>
    public static List<RaceComparison> Compare(LmRaceConfig config, IReadOnlyList<RaceRun> runs)
    {
        var list = new List<RaceComparison>();
        foreach (int seed in config.Seeds)
        {
            var adam = runs.FirstOrDefault(r => r.Kind == "main" && r.Optimizer == "adamw" && r.Seed == seed);
            double? target = adam is { Diverged: false } ? adam.FinalValLoss : null;
            long? adamSteps = target is { } t ? adam!.StepsToReach(t) : null;
            foreach (var r in runs.Where(r => r.Kind == "main" && r.Seed == seed))
            {
                long? steps = target is { } tt && !r.Diverged ? r.StepsToReach(tt) : null;
                double? speedup = adamSteps is { } a && steps is { } s && s > 0 ? (double)a / s : null;
                list.Add(new RaceComparison(r.Optimizer, seed, target, adamSteps, steps, speedup, r.FinalValLoss, r.WallS, r.Spikes.Count, r.Diverged));
            }
        }
        return list;
    }

    /// <summary>Per entrant over seeds: mean ± spread of the final loss and the speed-up, and the paired difference to adamw.</summary>
    public static List<RaceSummaryRow> Summarize(IReadOnlyList<RaceRun> runs, IReadOnlyList<RaceComparison> comparisons, IReadOnlyDictionary<string, bool> edgeLr)
    {
        var main = runs.Where(r => r.Kind == "main").ToList();
        var rows = new List<RaceSummaryRow>();
        foreach (var label in main.Select(r => r.Optimizer).Distinct())
        {
            var mine = main.Where(r => r.Optimizer == label).OrderBy(r => r.Seed).ToList();
            var finals = mine.Select(r => r.Diverged || r.FinalValLoss is null ? double.NaN : r.FinalValLoss.Value).ToArray();
            var speedups = comparisons.Where(c => c.Optimizer == label && c.Speedup is not null).Select(c => c.Speedup!.Value).ToArray();
            var diffs = mine.Select(r => main.FirstOrDefault(x => x.Optimizer == "adamw" && x.Seed == r.Seed) is { FinalValLoss: { } la, Diverged: false } && r is { FinalValLoss: { } lo, Diverged: false }
                ? la - lo : double.NaN).ToArray();
            bool allFinite = diffs.All(double.IsFinite);
            bool larger = label != "adamw" && allFinite && diffs.Length >= 2 && (diffs.All(d => d > 0) || diffs.All(d => d < 0));
            rows.Add(new RaceSummaryRow(label, mine[0].Lr, mine.Count, finals.Average(), SweepScoring.Std(finals),
                speedups.Length > 0 ? speedups.Average() : null, speedups.Length > 0 ? SweepScoring.Std(speedups) : null, speedups.Length,
                label == "adamw" || !allFinite ? null : diffs.Average(), label == "adamw" || !allFinite ? null : SweepScoring.Std(diffs),
                larger, edgeLr.TryGetValue(label, out bool e) && e, mine.Count(r => r.Diverged)));
        }
        return rows;
    }

    private double? DecayFor(RaceOptimizer o, double lr, Dictionary<string, (double Lr, double? Wd, bool Edge)> tuned) =>
        o.S3DecayFromAdamW && tuned.TryGetValue("adamw", out var a) ? a.Lr * 0.1 / lr : null;

    /// <summary>
    /// The spec of one run of <paramref name="o"/> at <paramref name="lr"/> for <paramref name="steps"/> steps:
    /// schedule-free entrants warm up by themselves over the race's warm-up steps; muon's other tensors go to
    /// the race's adamw entrant at adamw's tuned lr (a fixed choice, not tuned per muon lr: it is adamw's own optimum).
    /// </summary>
    private string SpecOf(RaceOptimizer o, double lr, double? weightDecay, int steps, Dictionary<string, (double Lr, double? Wd, bool Edge)> tuned)
    {
        string? aux = null;
        if (o.AuxiliaryAdamW)
        {
            var adamw = config.Optimizers.Single(x => x.Label == "adamw");
            aux = adamw.WithLr(tuned["adamw"].Lr);
        }
        return o.WithLr(lr, weightDecay, o.ScheduleFree ? config.WarmupSteps(steps) : null, aux);
    }

    /// <summary>
    /// Refuses an output folder that holds a race with other settings; a race with new entrants joins it
    /// (<see cref="LmRaceConfig.JoinStored"/>), and race-config.json then lists every entrant the folder holds.
    /// </summary>
    private void CheckConfig()
    {
        string path = Path.Combine(outDir, "race-config.json");
        var joined = File.Exists(path) ? config.JoinStored(LmRaceConfig.FromJson(File.ReadAllText(path), path), path) : config;
        string json = joined.ToJson();
        if (!File.Exists(path) || File.ReadAllText(path) != json) FocusLab.Lab.Reports.AtomicFile.WriteText(path, json);
    }

    /// <summary>A finished run read back, or trained now when this process owns it; otherwise pending.</summary>
    /// <remarks>Schedule-free runs get a constant schedule (their warm-up is in the spec); sophia's Hessian
    /// estimate is refreshed every <see cref="HessianEvery"/> steps by the <see cref="Trainer"/>, as in <c>train</c>.</remarks>
    private RaceRun Get(string name, string label, string kind, int seed, double lr, string spec, int steps, bool scheduleFree, bool own, CancellationToken cancel)
    {
        if (GptRunFolder.TryLoad(outDir, name) is { } done) return done;
        if (!own) throw new PendingRunException(name);
        var task = new GptTask(corpus, config.Gpt, config.Batch, seed, config.EvalBatches);
        var options = new TrainerOptions
        {
            Optimizer = spec, Steps = steps, Schedule = scheduleFree ? "constant" : config.Schedule(steps),
            EvalEvery = config.EvalEvery, ClipNorm = config.Clip, HessianEvery = HessianEvery,
        };
        return GptRunFolder.Train(outDir, name, label, kind, seed, lr, task, options, ProgressFor?.Invoke(name), cancel);
    }
}

/// <summary>A run that another shard owns, or that waits for a result not there yet.</summary>
internal sealed class PendingRunException(string name) : Exception(name);

/// <summary>
/// One resumable run of the LM studies in its own folder: <see cref="Trainer"/> output (metrics.jsonl,
/// checkpoint.bin) and, once finished, <c>done.json</c> (a <see cref="RaceRun"/>), which later passes and
/// other shards read back instead of training again. A folder with a checkpoint but no done.json is
/// continued from the checkpoint (bit-identically, <see cref="Trainer"/>).
/// </summary>
internal static class GptRunFolder
{
    public const string DoneFile = "done.json";

    /// <summary>The finished run <paramref name="name"/> under <paramref name="outDir"/>, or null.</summary>
    public static RaceRun? TryLoad(string outDir, string name)
    {
        string done = Path.Combine(outDir, name, DoneFile);
        return File.Exists(done) ? JsonSerializer.Deserialize<RaceRun>(File.ReadAllText(done), StudyJson.Options) : null;
    }

    /// <summary>Trains (or continues) the run and writes its done.json; <paramref name="options"/> without OutDir/Resume (set here).</summary>
    public static RaceRun Train(string outDir, string name, string label, string kind, int seed, double lr, ITrainingTask task, TrainerOptions options,
        ITrainingProgress? progress, CancellationToken cancel)
    {
        string dir = Path.Combine(outDir, name);
        string done = Path.Combine(dir, DoneFile);
        cancel.ThrowIfCancellationRequested();
        bool resume = File.Exists(Path.Combine(dir, TrainingCheckpoint.FileName));
        if (!resume && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var trainer = new Trainer(task, options with { OutDir = dir, Resume = resume });
        var result = trainer.Run(progress, cancel);
        cancel.ThrowIfCancellationRequested();
        var m = result.Metrics;
        var spikes = SpikeDetector.Find(m.Select(x => x.Step).ToList(), m.Select(x => x.TrainLoss).ToList(),
            m.Select(x => x.UpdateMax).ToList(), m.Select(x => x.UpdateMean).ToList());
        var run = new RaceRun(name, label, kind, seed, lr, options.Optimizer, options.Steps,
            result.Diverged ? null : result.FinalEvaluation?.Loss, result.Diverged, result.Divergence?.Step,
            result.WallSeconds, result.LastStep * (double)task.ItemsPerStep / Math.Max(result.WallSeconds, 1e-9),
            m.Where(x => x.EvalLoss is not null).Select(x => new[] { x.Step, x.EvalLoss!.Value }).ToArray(),
            m.Select(x => x.TrainLoss).ToArray(), spikes);
        FocusLab.Lab.Reports.AtomicFile.WriteText(done, JsonSerializer.Serialize(run, StudyJson.Options));
        return run;
    }
}
