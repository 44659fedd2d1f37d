using System.Text.Json;
using FocusLab.Engine.Data.Text;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Studies;

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

/// <summary>An entrant's tuning: the final validation loss at each lr of its grid and the chosen lr.</summary>
public sealed record RaceTuning(string Optimizer, double[] Lrs, double?[] WeightDecays, double[] FinalValLoss, double BestLr, double? WeightDecay);

/// <summary>How an entrant compares with adamw at one seed: steps to reach adamw's final validation loss and the ratio.</summary>
public sealed record RaceComparison(string Optimizer, int Seed, double? Target, long? AdamwSteps, long? Steps, double? Speedup, double? FinalValLoss, double WallS, int Spikes, bool Diverged);

public sealed record LmRaceResult(LmRaceConfig Config, List<RaceTuning> Tuning, List<RaceRun> Runs, List<RaceComparison> Comparisons);

/// <summary>
/// The language-model race (FOCUS fig. 3, S3 table 2): for each entrant, a short run at each lr of its
/// grid picks the peak lr (lowest final validation loss; diverged = worst); then a full run per seed at
/// that lr. Optional: the stability probe (3× and 10× the tuned lr) and the S3 ablation (s3 with one of
/// its changes over adamw undone at a time). Every run is a <see cref="Trainer"/> run in its own folder
/// (metrics.jsonl, checkpoint), so an interrupted race resumes: finished runs are read back, unfinished
/// ones continue from their checkpoint.
/// </summary>
public sealed class LmRace(LmRaceConfig config, TextCorpus corpus, string outDir)
{
    private const string DoneFile = "done.json";

    /// <summary>Called when a run starts (name, index, total estimate) and returns the progress sink for it.</summary>
    public Func<string, ITrainingProgress?>? ProgressFor { get; init; }

    public bool Stability { get; init; }

    public bool Ablation { get; init; }

    public LmRaceResult Run(CancellationToken cancel = default)
    {
        config.Validate();
        Directory.CreateDirectory(outDir);
        CheckConfig();
        var runs = new List<RaceRun>();
        var tuning = new List<RaceTuning>();
        var tuned = new Dictionary<string, (double Lr, double? Wd)>();
        int seed0 = config.Seeds[0];

        // adamw first: s3's weight decay is derived from adamw's tuned lr.
        foreach (var o in config.Optimizers.OrderBy(o => o.Label == "adamw" ? 0 : 1))
        {
            var finals = new double[o.LrGrid.Length];
            var decays = o.LrGrid.Select(lr => DecayFor(o, lr, tuned)).ToArray();
            for (int i = 0; i < o.LrGrid.Length; i++)
            {
                double lr = o.LrGrid[i];
                double? wd = DecayFor(o, lr, tuned);
                var r = Train($"tune/{o.Label}/lr{i}", o.Label, "tune", seed0, lr, o.WithLr(lr, wd), config.TuneSteps, cancel);
                runs.Add(r);
                finals[i] = r.Diverged || r.FinalValLoss is null ? double.PositiveInfinity : r.FinalValLoss.Value;
            }
            int best = 0;
            for (int i = 1; i < finals.Length; i++) if (finals[i] < finals[best]) best = i;
            double bestLr = o.LrGrid[best];
            double? bestWd = DecayFor(o, bestLr, tuned);
            tuned[o.Label] = (bestLr, bestWd);
            tuning.Add(new RaceTuning(o.Label, o.LrGrid, decays, finals, bestLr, bestWd));
        }

        foreach (var o in config.Optimizers)
            foreach (int seed in config.Seeds)
            {
                var (lr, wd) = tuned[o.Label];
                runs.Add(Train($"runs/{o.Label}/seed{seed}", o.Label, "main", seed, lr, o.WithLr(lr, wd), config.Steps, cancel));
            }

        if (Stability)
            foreach (var o in config.Optimizers)
                foreach (int m in new[] { 3, 10 })
                {
                    var (lr, wd) = tuned[o.Label];
                    runs.Add(Train($"stability/{o.Label}/x{m}", o.Label, $"x{m}", seed0, lr * m, o.WithLr(lr * m, wd), config.Steps, cancel));
                }

        if (Ablation && config.Optimizers.FirstOrDefault(o => o.Label == "s3") is { } s3)
        {
            var (lr, wd) = tuned["s3"];
            var adam = tuned["adamw"];
            (string Name, double Lr, string Spec)[] variants =
            [
                ("no_nesterov", lr, s3.WithLr(lr, wd).Replace("nesterov=true", "nesterov=false")),
                ("p2", lr, s3.WithLr(lr, wd).Replace("p=3", "p=2")),
                ("separate_betas", lr, s3.WithLr(lr, wd).Replace("beta1=0.95", "beta1=0.9")),
                ("adamw_lr", adam.Lr, s3.WithLr(adam.Lr, 0.1)),
            ];
            foreach (var v in variants)
                runs.Add(Train($"ablation/s3-{v.Name}", "s3-" + v.Name, "ablation", seed0, v.Lr, v.Spec, config.Steps, cancel));
        }

        return new LmRaceResult(config, tuning, runs, Compare(config, runs));
    }

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

    private double? DecayFor(RaceOptimizer o, double lr, Dictionary<string, (double Lr, double? Wd)> tuned) =>
        o.S3DecayFromAdamW && tuned.TryGetValue("adamw", out var a) ? a.Lr * 0.1 / lr : null;

    private void CheckConfig()
    {
        string path = Path.Combine(outDir, "race-config.json");
        string json = config.ToJson();
        if (File.Exists(path) && File.ReadAllText(path) != json)
            throw new ArgumentException($"{outDir} holds a race with different settings ({path}); use another --out or the same settings.");
        FocusLab.Lab.Reports.AtomicFile.WriteText(path, json);
    }

    private RaceRun Train(string name, string label, string kind, int seed, double lr, string spec, int steps, CancellationToken cancel)
    {
        string dir = Path.Combine(outDir, name);
        string done = Path.Combine(dir, DoneFile);
        if (File.Exists(done)) return JsonSerializer.Deserialize<RaceRun>(File.ReadAllText(done), StudyJson.Options)!;
        cancel.ThrowIfCancellationRequested();
        bool resume = File.Exists(Path.Combine(dir, TrainingCheckpoint.FileName));
        if (!resume && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var task = new GptTask(corpus, config.Gpt, config.Batch, seed, config.EvalBatches);
        var trainer = new Trainer(task, new TrainerOptions
        {
            Optimizer = spec,
            Steps = steps,
            Schedule = config.Schedule(steps),
            EvalEvery = config.EvalEvery,
            ClipNorm = config.Clip,
            OutDir = dir,
            Resume = resume,
        });
        var result = trainer.Run(ProgressFor?.Invoke(name), cancel);
        cancel.ThrowIfCancellationRequested();
        var m = result.Metrics;
        var spikes = SpikeDetector.Find(m.Select(x => x.Step).ToList(), m.Select(x => x.TrainLoss).ToList(),
            m.Select(x => x.UpdateMax).ToList(), m.Select(x => x.UpdateMean).ToList());
        var run = new RaceRun(name, label, kind, seed, lr, spec, steps,
            result.Diverged ? null : result.FinalEvaluation?.Loss, result.Diverged, result.Divergence?.Step,
            result.WallSeconds, result.LastStep * (double)task.ItemsPerStep / Math.Max(result.WallSeconds, 1e-9),
            m.Where(x => x.EvalLoss is not null).Select(x => new[] { x.Step, x.EvalLoss!.Value }).ToArray(),
            m.Select(x => x.TrainLoss).ToArray(), spikes);
        FocusLab.Lab.Reports.AtomicFile.WriteText(done, JsonSerializer.Serialize(run, StudyJson.Options));
        return run;
    }
}
