using FocusLab.Engine.Checkpoints;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Tests.Training;

public class TrainerResumeTests
{
    private static TrainerOptions Options(string dir, string optimizer) => new()
    {
        Optimizer = optimizer,
        Steps = 12,
        Schedule = "cosine:warmup=3,floor=0.1",
        EvalEvery = 4,
        ClipNorm = 1.0,
        OutDir = dir,
    };

    /// <summary>Metrics lines without the wall-clock field, which is the only one allowed to differ.</summary>
    private static string[] MetricsWithoutTime(string dir) =>
        File.ReadAllLines(Path.Combine(dir, Trainer.MetricsFileName))
            .Select(l => StepMetrics.FromJson(l) with { TimeS = 0 })
            .Select(m => m.ToJson()).ToArray();

    /// <summary>Every section of the checkpoint except the metadata (which holds the wall time).</summary>
    private static void AssertSameState(string dirA, string dirB)
    {
        var a = Checkpoint.Load(Path.Combine(dirA, TrainingCheckpoint.FileName));
        var b = Checkpoint.Load(Path.Combine(dirB, TrainingCheckpoint.FileName));
        Assert.Equal(a.SectionNames, b.SectionNames);
        foreach (var name in a.SectionNames.Where(n => n != CheckpointSections.MetaJson))
            Assert.True(a.Get(name).AsSpan().SequenceEqual(b.Get(name)), $"section {name} differs");
        Assert.Equal(12, TrainingCheckpoint.ReadMeta(b).Step);
    }

    [Fact]
    public void Mlp_stopped_after_k_steps_and_resumed_equals_the_uninterrupted_run_bit_for_bit()
    {
        string full = TinyTasks.TempDir(), split = TinyTasks.TempDir();
        var spec = "focus:lr=0.01,beta2=0.99,gamma=0.2,weight_decay=0.01";
        var a = new Trainer(TinyTasks.Mlp(), Options(full, spec)).Run();
        // Interrupted at step 6 (between evaluations), then continued by a fresh process-like setup.
        var first = new Trainer(TinyTasks.Mlp(), Options(split, spec) with { StopAfter = 6 }).Run();
        Assert.Equal(6, first.LastStep);
        Assert.Equal(6, first.CheckpointStep);
        var b = new Trainer(TinyTasks.Mlp(), Options(split, spec) with { Resume = true }).Run();

        Assert.Equal(12, a.LastStep);
        Assert.Equal(12, b.LastStep);
        Assert.Equal(MetricsWithoutTime(full), MetricsWithoutTime(split));
        AssertSameState(full, split);
        // The run actually trained and evaluated where expected.
        Assert.Equal([4L, 8, 12], a.Metrics.Where(m => m.EvalLoss is not null).Select(m => m.Step));
        Assert.NotEqual(a.Metrics[0].TrainLoss, a.Metrics[^1].TrainLoss);
        Assert.Equal(b.FinalEvaluation, a.FinalEvaluation);
    }

    [Fact]
    public void Gpt_with_dropout_killed_mid_run_resumes_from_its_last_checkpoint_bit_for_bit()
    {
        string full = TinyTasks.TempDir(), killed = TinyTasks.TempDir();
        var spec = "adamw:lr=0.003,beta2=0.95,weight_decay=0.1";
        new Trainer(TinyTasks.Gpt(), Options(full, spec)).Run();
        // A crash at step 7: checkpoint at 4, metrics for 5 and 6 already on disk; they must be discarded and redone.
        var crash = Options(killed, spec) with { BeforeStep = t => { if (t == 7) throw new IOException("simulated crash"); } };
        Assert.Throws<IOException>(() => new Trainer(TinyTasks.Gpt(), crash).Run());
        Assert.Equal(6, File.ReadAllLines(Path.Combine(killed, Trainer.MetricsFileName)).Length);
        var resumed = new Trainer(TinyTasks.Gpt(), Options(killed, spec) with { Resume = true }).Run();
        Assert.Equal(12, resumed.Metrics.Count);
        Assert.Equal(MetricsWithoutTime(full), MetricsWithoutTime(killed));
        AssertSameState(full, killed);
    }

    [Fact]
    public void Resume_refuses_a_different_optimizer_a_missing_checkpoint_and_overwriting_a_run()
    {
        string dir = TinyTasks.TempDir();
        var spec = "signum:lr=0.01";
        new Trainer(TinyTasks.Mlp(), Options(dir, spec) with { StopAfter = 4 }).Run();
        var other = Assert.Throws<ArgumentException>(() => new Trainer(TinyTasks.Mlp(), Options(dir, "signum:lr=0.02") with { Resume = true }).Run());
        Assert.Contains("optimizer", other.Message);
        var batch = Assert.Throws<ArgumentException>(() => new Trainer(TinyTasks.Mlp(batch: 16), Options(dir, spec) with { Resume = true }).Run());
        Assert.Contains("batch", batch.Message);
        var again = Assert.Throws<ArgumentException>(() => new Trainer(TinyTasks.Mlp(), Options(dir, spec)).Run());
        Assert.Contains("--resume", again.Message);
        Assert.Throws<FileNotFoundException>(() => new Trainer(TinyTasks.Mlp(), Options(TinyTasks.TempDir(), spec) with { Resume = true }).Run());
    }
}
