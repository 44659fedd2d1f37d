using System.Globalization;
using System.Text.Json;
using FocusLab.Engine.Checkpoints;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Training;
using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Studies.Noise;

/// <summary>The study's outcome: per (optimizer, batch) tuned results, I(b) of each optimizer against adamw, crossovers and the measured noise per batch size.</summary>
/// <remarks><see cref="Noise"/>: at each batch size's own adamw endpoint (what training at b met; later points of training have a
/// smaller ‖G‖, so it mixes progress into the noise). <see cref="ReferenceNoise"/>: every batch size at one common model (adamw's tuned
/// first-seed run at the largest batch size) and one stream of sequences grouped into batches of each size, where the noise falls as
/// 1/b and <see cref="GradientNoise.SimpleNoiseScale"/> should not depend on b — the axis on which to read the crossover like the toy's σ.</remarks>
public sealed record LmNoiseResult(LmNoiseConfig Config, OptimizerAtBatch[] Results, Improvement[] Improvements, OptimizerCrossover[] Crossovers,
    GradientNoise[] Noise, GradientNoise[] ReferenceNoise, List<RaceRun> Runs);

/// <summary>
/// The LM gradient-noise study — the language-model version of the batch-size crossover, which none of the
/// papers ran: for each batch size b, every optimizer is tuned on full-length runs (its grid extended at
/// an edge optimum), giving L_opt(b) and I_opt(b) = (L_adamw − L_opt)/L_adamw with the per-seed spread
/// (<see cref="SweepScoring.Compare"/>). The gradient noise at b (<see cref="GradientNoise"/>) is measured at
/// the end of adamw's tuned first-seed run at that batch size, on fresh batches, so the crossover can be
/// read against the noise as the toy's is read against σ. Runs live in folders like the race's
/// (<see cref="GptRunFolder"/>); a <see cref="Shard"/> owns the (batch, optimizer) pairs p ≡ i (mod N)
/// and the noise of the batch sizes whose adamw pair it owns (the reference noise: the owner of adamw at the largest batch).
/// </summary>
public sealed class LmNoise(LmNoiseConfig config, TextCorpus corpus, string outDir)
{
    public Func<string, ITrainingProgress?>? ProgressFor { get; init; }

    public Shard Shard { get; init; } = Shard.All;

    public bool MergeOnly { get; init; }

    /// <summary>After <see cref="Run"/>: what this process could not do.</summary>
    public List<string> Pending { get; } = [];

    public LmNoiseResult? Run(CancellationToken cancel = default)
    {
        config.Validate();
        Directory.CreateDirectory(outDir);
        string cfgPath = Path.Combine(outDir, "noise-config.json");
        if (File.Exists(cfgPath) && File.ReadAllText(cfgPath) != config.ToJson())
            throw new ArgumentException($"{outDir} holds a noise study with different settings ({cfgPath}); use another --out or the same settings.");
        if (!File.Exists(cfgPath)) FocusLab.Lab.Reports.AtomicFile.WriteText(cfgPath, config.ToJson());
        Pending.Clear();

        var results = new List<OptimizerAtBatch>();
        var noise = new List<GradientNoise>();
        var runs = new List<RaceRun>();
        var adamwLr = new Dictionary<int, (double Lr, bool Own)>();
        int p = 0;
        foreach (int b in config.Batches)
            foreach (var o in config.Optimizers)
            {
                bool own = !MergeOnly && Shard.Owns(p++);
                var pairRuns = new List<RaceRun>();
                try
                {
                    var search = InteriorLrSearch.Run(o.LrGrid, lr => config.Seeds.Select(seed =>
                    {
                        var r = Get(RunName(b, o.Label, lr, seed), o.Label, seed, lr, o.WithLr(lr), b, own, cancel);
                        pairRuns.Add(r);
                        return r.Diverged || r.FinalValLoss is null ? double.PositiveInfinity : r.FinalValLoss.Value;
                    }).ToArray(), config.MaxLrExtensions);
                    var best = search.Best;
                    results.Add(new OptimizerAtBatch(o.Label, b, search.BestLr, search.BestIndex, best.Mean, SweepScoring.Std(best.Scores), best.Scores, null,
                        pairRuns.Count(r => r.Diverged), search.Trials.Select(t => t.Mean).ToArray(), search.Grid, search.Extensions, search.AtLowerEdge, search.AtUpperEdge));
                    runs.AddRange(pairRuns.OrderBy(r => r.Lr).ThenBy(r => r.Seed));
                    if (o.Label == "adamw")
                    {
                        adamwLr[b] = (search.BestLr, own);
                        if (MeasureNoise(b, b, search.BestLr, own, $"b{b}.json") is { } n) noise.Add(n);
                        else Pending.Add($"noise at batch {b}");
                    }
                }
                catch (PendingRunException e) { Pending.Add($"{o.Label} at batch {b} ({e.Message})"); }
            }
        var reference = new List<GradientNoise>();
        int refBatch = config.Batches.Max();
        if (adamwLr.TryGetValue(refBatch, out var refRun))
        {
            if (ReferenceNoise(refBatch, refRun.Lr, refRun.Own) is { } list) reference.AddRange(list);
            else Pending.Add("reference noise");
        }
        if (Pending.Count > 0) return null;

        var improvements = new List<Improvement>();
        var crossovers = new List<OptimizerCrossover>();
        foreach (var o in config.Optimizers.Where(o => o.Label != "adamw"))
        {
            var curve = config.Batches.Order().Select(b => SweepScoring.Compare(results.Single(r => r.Batch == b && r.Optimizer == "adamw"), results.Single(r => r.Batch == b && r.Optimizer == o.Label))).ToArray();
            improvements.AddRange(curve);
            crossovers.Add(new OptimizerCrossover(o.Label, SweepScoring.FindCrossover(curve.Select(i => (i.Batch, i.I)).ToArray())));
        }
        return new LmNoiseResult(config, results.ToArray(), improvements.ToArray(), crossovers.ToArray(), noise.OrderBy(n => n.Batch).ToArray(), reference.ToArray(), runs);
    }

    private static string RunName(int batch, string label, double lr, int seed) =>
        $"b{batch}/{label}/lr{lr.ToString("G6", CultureInfo.InvariantCulture)}/seed{seed}";

    private RaceRun Get(string name, string label, int seed, double lr, string spec, int batch, bool own, CancellationToken cancel)
    {
        if (GptRunFolder.TryLoad(outDir, name) is { } done) return done;
        if (!own) throw new PendingRunException(name);
        var task = new GptTask(corpus, config.Gpt, batch, seed, config.EvalBatches(batch));
        var options = new TrainerOptions { Optimizer = spec, Steps = config.Steps, Schedule = config.Schedule, EvalEvery = Math.Max(1, config.Steps / 10), ClipNorm = config.Clip };
        return GptRunFolder.Train(outDir, name, label, "main", seed, lr, task, options, ProgressFor?.Invoke(name), cancel);
    }

    /// <summary>
    /// The noise at every batch size at one model, the end of adamw's tuned first-seed run at batch <paramref name="modelBatch"/>,
    /// from one stream of <see cref="LmNoiseConfig.NoiseGradients"/> × max(b) single-sequence gradients
    /// (<see cref="GradientNoise.MeasureNested"/>); batch sizes that do not divide the largest are measured on their own.
    /// </summary>
    private GradientNoise[]? ReferenceNoise(int modelBatch, double adamwLr, bool own)
    {
        string path = Path.Combine(outDir, "noise", "reference.json");
        if (File.Exists(path)) return JsonSerializer.Deserialize<GradientNoise[]>(File.ReadAllText(path), StudyJson.Options);
        if (!own) return null;
        string ckpt = Path.Combine(outDir, RunName(modelBatch, "adamw", adamwLr, config.Seeds[0]), TrainingCheckpoint.FileName);
        var nested = config.Batches.Where(b => modelBatch % b == 0).Order().ToArray();
        var task = new GptTask(corpus, config.Gpt, 1, config.Seeds.Max() + 1000, evalBatches: 1);
        TrainingCheckpoint.RestoreModel(Checkpoint.Load(ckpt), ckpt, task.Model);
        var list = GradientNoise.MeasureNested(task, nested, config.NoiseGradients).ToList();
        foreach (int b in config.Batches.Except(nested))
        {
            var single = new GptTask(corpus, config.Gpt, b, config.Seeds.Max() + 1000, evalBatches: 1);
            TrainingCheckpoint.RestoreModel(Checkpoint.Load(ckpt), ckpt, single.Model);
            list.Add(GradientNoise.Measure(single, b, config.NoiseGradients));
        }
        var result = list.OrderBy(n => n.Batch).ToArray();
        FocusLab.Lab.Reports.AtomicFile.WriteText(path, JsonSerializer.Serialize(result, StudyJson.Options));
        return result;
    }

    /// <summary>
    /// The noise of batches of <paramref name="batch"/> sequences at the end of adamw's tuned first-seed run at batch
    /// <paramref name="modelBatch"/>, read back from <c>noise/FILE</c> or measured (null when not owned and not there).
    /// </summary>
    private GradientNoise? MeasureNoise(int batch, int modelBatch, double adamwLr, bool own, string file)
    {
        string path = Path.Combine(outDir, "noise", file);
        if (File.Exists(path)) return JsonSerializer.Deserialize<GradientNoise>(File.ReadAllText(path), StudyJson.Options);
        if (!own) return null;
        string ckpt = Path.Combine(outDir, RunName(modelBatch, "adamw", adamwLr, config.Seeds[0]), TrainingCheckpoint.FileName);
        // Fresh batches: a sampler seed no training run of the study uses.
        var task = new GptTask(corpus, config.Gpt, batch, config.Seeds.Max() + 1000, evalBatches: 1);
        TrainingCheckpoint.RestoreModel(Checkpoint.Load(ckpt), ckpt, task.Model);
        var n = GradientNoise.Measure(task, batch, config.NoiseGradients);
        FocusLab.Lab.Reports.AtomicFile.WriteText(path, JsonSerializer.Serialize(n, StudyJson.Options));
        return n;
    }
}
