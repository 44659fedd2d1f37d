using FocusLab.Engine.Checkpoints;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Tests.Training;

public class TrainerDivergenceTests
{
    [Fact]
    public void A_nan_parameter_stops_the_run_at_the_next_step_and_keeps_the_last_good_checkpoint()
    {
        string dir = TinyTasks.TempDir();
        var task = TinyTasks.Mlp();
        var options = new TrainerOptions
        {
            Optimizer = "adamw:lr=0.01", Steps = 20, EvalEvery = 3, OutDir = dir,
            // Poison one weight just before step 8: the forward pass of step 8 gives a NaN loss.
            BeforeStep = t => { if (t == 8) task.Model.Parameters[2].Value.Span[0] = float.NaN; },
        };
        var result = new Trainer(task, options).Run();

        Assert.True(result.Diverged);
        Assert.Equal(8, result.Divergence!.Step);
        Assert.Contains("NaN", result.Divergence.What);
        Assert.Equal(7, result.LastStep);
        Assert.Equal(6, result.CheckpointStep);
        var ckpt = Checkpoint.Load(Path.Combine(dir, TrainingCheckpoint.FileName));
        Assert.Equal(6, TrainingCheckpoint.ReadMeta(ckpt).Step);
        foreach (var name in ckpt.SectionNames.Where(n => n.StartsWith("param/")))
            Assert.All(ckpt.GetFloats(name), v => Assert.True(float.IsFinite(v)));
        // The kept checkpoint is resumable: a clean continuation reaches the end.
        var resumed = new Trainer(TinyTasks.Mlp(), options with { Resume = true, BeforeStep = null }).Run();
        Assert.False(resumed.Diverged);
        Assert.Equal(20, resumed.LastStep);
    }

    [Fact]
    public void An_exploding_learning_rate_is_reported_as_divergence_not_an_exception()
    {
        var result = new Trainer(TinyTasks.Gpt(dropout: 0), new TrainerOptions { Optimizer = "sgd:lr=1e30", Steps = 30 }).Run();
        Assert.True(result.Diverged);
        Assert.InRange(result.Divergence!.Step, 2, 30);
        Assert.Null(result.CheckpointStep);
    }
}
