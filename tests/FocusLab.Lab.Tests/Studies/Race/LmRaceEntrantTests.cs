using System.Text.Json.Nodes;
using FocusLab.Engine.Checkpoints;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Tests.Training;
using FocusLab.Lab.Training;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Studies.Race;

/// <summary>The geometry family in the language-model race: muon, schedulefree_adamw, sophia and adam_mini as entrants,
/// choosing entrants, and adding entrants to a finished race.</summary>
public class LmRaceEntrantTests
{
    private static readonly RaceOptimizer AdamW = LmRaceConfig.Quick().Optimizers.Single(o => o.Label == "adamw") with { LrGrid = [1e-3, 1e-2] };

    /// <summary>A 1-layer 16-wide GPT: 10 tuning steps and 20 main steps, so sophia's k = 10 refreshes the Hessian once and twice.</summary>
    private static LmRaceConfig Tiny(params RaceOptimizer[] others) => new("test", 1, 2, 16, 8, 4, 10, 20, 5, 2, 0.1, 0.1, 1.0, [1],
        [AdamW, .. others], TuneSeeds: 1, MaxLrExtensions: 0);

    private static RaceOptimizer Geometry(string label) =>
        LmRaceConfig.Quick().Optimizers.Single(o => o.Label == label) with { LrGrid = label == "muon" ? [6e-3, 2e-2] : [1e-3, 1e-2] };

    /// <summary>The task and optimizer of a finished run, restored from its last checkpoint (the state at its final evaluation).</summary>
    private static (GptTask Task, Optimizer Optimizer) Restore(LmRaceConfig config, string outDir, RaceRun run)
    {
        var task = new GptTask(TinyTasks.Corpus(), config.Gpt, config.Batch, run.Seed, config.EvalBatches);
        var optimizer = OptimizerSetup.Create(run.Spec, task.Model);
        string path = Path.Combine(outDir, run.Name, TrainingCheckpoint.FileName);
        TrainingCheckpoint.Restore(Checkpoint.Load(path), path, task, optimizer);
        return (task, optimizer);
    }

    [Fact]
    public void The_four_geometry_entrants_train_through_the_race_with_their_own_settings()
    {
        var config = Tiny(Geometry("muon"), Geometry("schedulefree_adamw"), Geometry("sophia"), Geometry("adam_mini"));
        string dir = TinyTasks.TempDir();
        var race = new LmRace(config, TinyTasks.Corpus(), dir).Run();

        Assert.NotNull(race);
        Assert.Equal(["adamw", "muon", "schedulefree_adamw", "sophia", "adam_mini"], race!.Summary.Select(r => r.Optimizer));
        Assert.All(race.Runs, r => Assert.True(r is { Diverged: false, FinalValLoss: > 0 and < 6 }, $"{r.Name}: {r.FinalValLoss}"));
        var main = race.Runs.Where(r => r.Kind == "main").ToDictionary(r => r.Optimizer);
        double adamwLr = race.Tuning.Single(t => t.Optimizer == "adamw").BestLr;

        // muon: the other tensors are stepped by the race's adamw entrant at adamw's tuned lr; muon's matrix lr is its own.
        Assert.EndsWith(",aux=" + AdamW.WithLr(adamwLr), main["muon"].Spec);
        Assert.StartsWith($"muon:lr={main["muon"].Lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},", main["muon"].Spec);
        Assert.IsType<Muon>(Restore(config, dir, main["muon"]).Optimizer);

        // schedulefree_adamw: its own warm-up over the race's warm-up steps (10% of the run), then a constant lr: no cosine.
        Assert.Contains(",warmup_steps=2", main["schedulefree_adamw"].Spec);
        Assert.Contains(race.Runs, r => r.Optimizer == "schedulefree_adamw" && r.Kind == "tune" && r.Spec.Contains(",warmup_steps=1"));
        var lrs = MetricsFile.Read(Path.Combine(dir, main["schedulefree_adamw"].Name, Trainer.MetricsFileName)).Records.Select(m => m.Lr).Distinct();
        Assert.Equal([main["schedulefree_adamw"].Lr], lrs);
        var adamwLrs = MetricsFile.Read(Path.Combine(dir, main["adamw"].Name, Trainer.MetricsFileName)).Records.Select(m => m.Lr).Distinct();
        Assert.True(adamwLrs.Count() > 10, "adamw keeps the warm-up + cosine schedule");

        // sophia: the Gauss–Newton–Bartlett refresh every k = 10 steps, in the tuning (10 steps) and the main run (20 steps).
        Assert.Equal(10, LmRace.HessianEvery);
        Assert.Equal(2, ((IHessianDiagonal)Restore(config, dir, main["sophia"]).Optimizer).HessianUpdates);
        foreach (var tune in race.Runs.Where(r => r.Optimizer == "sophia" && r.Kind == "tune"))
            Assert.Equal(1, ((IHessianDiagonal)Restore(config, dir, tune).Optimizer).HessianUpdates);

        Assert.StartsWith("adam_mini:", main["adam_mini"].Spec);
    }

    [Fact]
    public void Schedulefree_is_evaluated_at_x_and_its_interrupted_race_run_resumes_bit_for_bit()
    {
        var config = Tiny(Geometry("schedulefree_adamw"));
        var corpus = TinyTasks.Corpus();
        string straight = TinyTasks.TempDir();
        var reference = new LmRace(config, corpus, straight).Run()!;
        var run = reference.Runs.Single(r => r.Kind == "main" && r.Optimizer == "schedulefree_adamw");

        // The reported loss is the loss at x (the checkpoint holds x), not at y, where the gradients were taken.
        var (task, optimizer) = Restore(config, straight, run);
        var modes = (ITrainEvalSwitch)optimizer;
        Assert.False(modes.IsTraining);
        Assert.Equal(run.FinalValLoss, task.Evaluate().Loss);
        modes.Train();
        Assert.NotEqual(run.FinalValLoss!.Value, task.Evaluate().Loss, 6);

        // Interrupt the main run at step 7 (between checkpoints), then rerun the race: it continues from the checkpoint.
        string interrupted = TinyTasks.TempDir();
        using var cancel = new CancellationTokenSource();
        var first = new LmRace(config, corpus, interrupted)
        {
            ProgressFor = name => name == run.Name ? new CancelAt(7, cancel) : null,
        };
        Assert.Throws<OperationCanceledException>(() => first.Run(cancel.Token));
        Assert.False(File.Exists(Path.Combine(interrupted, run.Name, GptRunFolder.DoneFile)));
        var resumed = new LmRace(config, corpus, interrupted).Run()!.Runs.Single(r => r.Name == run.Name);

        Assert.Equal(run.TrainLoss, resumed.TrainLoss);
        Assert.Equal(run.ValCurve.SelectMany(p => p), resumed.ValCurve.SelectMany(p => p));
        // The final checkpoints hold the same parameters (x) and optimizer state, bit for bit (its metadata differs: wall time).
        var a = Checkpoint.Load(Path.Combine(straight, run.Name, TrainingCheckpoint.FileName));
        var b = Checkpoint.Load(Path.Combine(interrupted, run.Name, TrainingCheckpoint.FileName));
        Assert.Equal(a.Get(CheckpointSections.Optimizer), b.Get(CheckpointSections.Optimizer));
        var (straightTask, _) = Restore(config, straight, run);
        var (resumedTask, _) = Restore(config, interrupted, resumed);
        Assert.Equal(straightTask.Model.Parameters.SelectMany(p => p.Value.Span.ToArray()), resumedTask.Model.Parameters.SelectMany(p => p.Value.Span.ToArray()));
    }

    private sealed class CancelAt(long step, CancellationTokenSource cancel) : ITrainingProgress
    {
        public void Started(long firstStep, long lastStep, string itemName) { }
        public void Stepped(long t, double trainLoss, double itemsPerSecond) { if (t == step) cancel.Cancel(); }
        public void Evaluated(long t, Evaluation evaluation) { }
    }

    [Fact]
    public void Adding_entrants_to_a_finished_race_trains_only_theirs_and_changed_settings_are_refused()
    {
        var corpus = TinyTasks.Corpus();
        string dir = TinyTasks.TempDir();
        var focus = LmRaceConfig.Quick().Optimizers.Single(o => o.Label == "focus") with { LrGrid = [3e-4, 3e-3] };
        var before = new LmRace(Tiny(focus), corpus, dir).Run()!;

        // A store written before the new entrant fields existed (the full preset's current store) still matches.
        string configPath = Path.Combine(dir, "race-config.json");
        var stored = JsonNode.Parse(File.ReadAllText(configPath))!;
        foreach (var o in stored["optimizers"]!.AsArray()) { o!.AsObject().Remove("auxiliary_adam_w"); o.AsObject().Remove("schedule_free"); }
        File.WriteAllText(configPath, stored.ToJsonString());

        var trained = new List<string>();
        var after = new LmRace(Tiny(focus, Geometry("adam_mini")), corpus, dir) { ProgressFor = name => { trained.Add(name); return null; } }.Run()!;
        Assert.NotEmpty(trained);
        Assert.All(trained, name => Assert.Contains("/adam_mini/", name));
        foreach (var r in before.Runs)
            Assert.Equal(r.FinalValLoss, after.Runs.Single(x => x.Name == r.Name).FinalValLoss);
        Assert.Contains(after.Summary, r => r.Optimizer == "adam_mini");
        Assert.Equal(["adamw", "focus", "adam_mini"], LmRaceConfig.FromJson(File.ReadAllText(configPath), configPath).Optimizers.Select(o => o.Label));

        // A subset of the stored entrants reads back without training.
        trained.Clear();
        Assert.NotNull(new LmRace(Tiny(), corpus, dir) { ProgressFor = name => { trained.Add(name); return null; } }.Run());
        Assert.Empty(trained);

        var steps = Assert.Throws<ArgumentException>(() => new LmRace(Tiny(focus) with { Steps = 30 }, corpus, dir).Run());
        Assert.Contains("different settings", steps.Message);
        var spec = Assert.Throws<ArgumentException>(() => new LmRace(Tiny(focus with { Spec = "focus:gamma=0.1" }), corpus, dir).Run());
        Assert.Contains("entrant focus has other settings", spec.Message);
    }

    [Fact]
    public void Entrants_are_chosen_by_label_with_adamw_always_in_and_unknown_labels_listed()
    {
        string[] nine = ["adamw", "signum", "focus", "s3", "lion", "muon", "schedulefree_adamw", "sophia", "adam_mini"];
        Assert.Equal(nine, LmRaceConfig.Quick().Optimizers.Select(o => o.Label));
        Assert.Equal(nine[..5], LmRaceConfig.Full().Optimizers.Select(o => o.Label));
        Assert.Equal(nine, LmRaceConfig.Available("full").Select(o => o.Label));

        var chosen = LmRaceConfig.Full().WithEntrants(["sophia", " muon", ""]);
        Assert.Equal(["adamw", "muon", "sophia"], chosen.Optimizers.Select(o => o.Label));
        // The full preset's first five are the same entrants whether chosen or by default, so a store of either joins the other.
        var all = LmRaceConfig.Full().WithEntrants(nine);
        Assert.Equal(LmRaceConfig.Full().Optimizers.Select(o => o.Spec + string.Join(",", o.LrGrid)), all.Optimizers[..5].Select(o => o.Spec + string.Join(",", o.LrGrid)));

        var e = Assert.Throws<ArgumentException>(() => LmRaceConfig.Full().WithEntrants(["muon", "adam", "sgd"]));
        Assert.Equal("--optimizers: unknown adam, sgd; choose from adamw,signum,focus,s3,lion,muon,schedulefree_adamw,sophia,adam_mini.", e.Message);
        Assert.Throws<ArgumentException>(() => (LmRaceConfig.Quick() with { Preset = "custom" }).WithEntrants(["muon"]));
    }
}
