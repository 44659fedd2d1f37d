using FocusLab.Lab.Training;

namespace FocusLab.Lab.Tests.Training;

public class TrainedModelTests
{
    private static TrainerOptions Options(string dir) => new() { Optimizer = "adam:lr=0.01", Steps = 4, EvalEvery = 0, OutDir = dir };

    [Fact]
    public void A_trained_mlp_is_rebuilt_with_its_exact_parameters_and_batch_norm_statistics()
    {
        string dir = TinyTasks.TempDir();
        var task = TinyTasks.Mlp();
        new Trainer(task, Options(dir)).Run();
        var loaded = TrainedModel.Load(dir);
        Assert.Equal("mlp", loaded.Kind);
        Assert.Equal(4, loaded.Meta.Step);
        Assert.NotNull(loaded.Mlp);
        Assert.Equal(task.Model.Parameters.Select(p => p.Name), loaded.Model.Parameters.Select(p => p.Name));
        for (int i = 0; i < task.Model.Parameters.Count; i++)
            Assert.Equal(task.Model.Parameters[i].Value.Span.ToArray(), loaded.Model.Parameters[i].Value.Span.ToArray());
        for (int i = 0; i < task.Model.State.Count; i++)
            Assert.Equal(task.Model.State[i].Span.ToArray(), loaded.Model.State[i].Span.ToArray());
    }

    [Fact]
    public void A_trained_gpt_is_rebuilt_from_its_checkpoint_file()
    {
        string dir = TinyTasks.TempDir();
        var task = TinyTasks.Gpt(dropout: 0.1);
        new Trainer(task, Options(dir)).Run();
        var loaded = TrainedModel.Load(Path.Combine(dir, TrainingCheckpoint.FileName));
        Assert.Equal("gpt", loaded.Kind);
        Assert.Equal(0.1, loaded.Gpt!.Config.Dropout);
        Assert.Equal(task.Model.Parameters.SelectMany(p => p.Value.Span.ToArray()), loaded.Model.Parameters.SelectMany(p => p.Value.Span.ToArray()));
    }

    [Fact]
    public void A_folder_without_a_checkpoint_says_how_to_make_one()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TrainedModel.Load(TinyTasks.TempDir()));
        Assert.Contains("focuslab train", e.Message);
    }
}
