using FocusLab.Engine.Checkpoints;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Tests.Training;

/// <summary>An interrupt (a cancelled token) ends a run after the current step with a checkpoint there; no work is lost and the resume is exact.</summary>
public class TrainerInterruptTests
{
    private static TrainerOptions Options(string dir) => new()
    {
        Optimizer = "adamw:lr=0.01,weight_decay=0.01",
        Steps = 12,
        Schedule = "cosine:warmup=3,floor=0.1",
        EvalEvery = 5,
        OutDir = dir,
    };

    private static string[] MetricsWithoutTime(string dir) =>
        File.ReadAllLines(Path.Combine(dir, Trainer.MetricsFileName)).Select(l => (StepMetrics.FromJson(l) with { TimeS = 0 }).ToJson()).ToArray();

    [Fact]
    public void A_cancelled_run_checkpoints_the_step_it_stopped_at_and_resumes_bit_for_bit()
    {
        string full = TinyTasks.TempDir(), interrupted = TinyTasks.TempDir();
        new Trainer(TinyTasks.Mlp(), Options(full)).Run();

        // The interrupt arrives during step 7 (between the checkpoints at 5 and 10).
        using var cancel = new CancellationTokenSource();
        var first = new Trainer(TinyTasks.Mlp(), Options(interrupted) with { BeforeStep = t => { if (t == 7) cancel.Cancel(); } }).Run(cancel: cancel.Token);
        Assert.True(first.Interrupted);
        Assert.Equal(7, first.LastStep);
        Assert.Equal(7, first.CheckpointStep);
        Assert.Equal(7, TrainingCheckpoint.ReadMeta(Checkpoint.Load(Path.Combine(interrupted, TrainingCheckpoint.FileName))).Step);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(interrupted, Trainer.MetricsFileName)).Length);
        Assert.EndsWith("\n", File.ReadAllText(Path.Combine(interrupted, Trainer.MetricsFileName)));

        var resumed = new Trainer(TinyTasks.Mlp(), Options(interrupted) with { Resume = true }).Run();
        Assert.False(resumed.Interrupted);
        Assert.Equal(12, resumed.LastStep);
        Assert.Equal(MetricsWithoutTime(full), MetricsWithoutTime(interrupted));
    }

    [Fact]
    public void A_token_cancelled_before_the_first_step_trains_nothing_and_is_not_a_divergence()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var r = new Trainer(TinyTasks.Mlp(), Options(TinyTasks.TempDir())).Run(cancel: cancel.Token);
        Assert.Equal(0, r.LastStep);
        Assert.False(r.Diverged);
        Assert.Null(r.CheckpointStep);
    }

    [Fact]
    public void Resume_skips_a_partial_last_metrics_line_and_says_so()
    {
        string dir = TinyTasks.TempDir(), full = TinyTasks.TempDir();
        new Trainer(TinyTasks.Mlp(), Options(full)).Run();
        new Trainer(TinyTasks.Mlp(), Options(dir) with { StopAfter = 6 }).Run();
        // A crash while writing step 7's line leaves half of it behind.
        string metrics = Path.Combine(dir, Trainer.MetricsFileName);
        File.AppendAllText(metrics, "{\"step\":7,\"lr\":0.00");
        var resumed = new Trainer(TinyTasks.Mlp(), Options(dir) with { Resume = true }).Run();
        Assert.Contains(resumed.Notes, n => n.Contains("partial last line"));
        Assert.Equal(MetricsWithoutTime(full), MetricsWithoutTime(dir));
    }

    [Fact]
    public void A_damaged_line_before_the_end_is_refused_naming_its_line()
    {
        string path = Path.Combine(TinyTasks.TempDir(), Trainer.MetricsFileName);
        var line = new StepMetrics(1, 0.1, 2.0, null, null, 1.0, null, null, null, 0.5).ToJson();
        File.WriteAllText(path, line + "\n{broken\n" + line.Replace("\"step\":1", "\"step\":3") + "\n");
        var e = Assert.Throws<InvalidDataException>(() => MetricsFile.Read(path));
        Assert.Contains("line 2", e.Message);
        File.WriteAllText(path, line + "\n" + line[..10]);
        var read = MetricsFile.Read(path);
        Assert.True(read.PartialLastLine);
        Assert.Single(read.Records);
    }
}
