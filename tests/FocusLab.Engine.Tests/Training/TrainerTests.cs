using System.Text;
using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Engine.Training;

namespace FocusLab.Engine.Tests.Training;

public class TrainerTests
{
    private static (ClassificationDataset Train, ClassificationDataset Test) Synthetic(int seed)
    {
        ClassificationDataset Make(int n, int s)
        {
            var rng = new Random(s);
            var x = new float[n * 8]; var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = i % 3;
                for (int j = 0; j < 8; j++) x[i * 8 + j] = (float)(rng.NextDouble() - 0.5) + (j == y[i] ? 1f : 0f);
            }
            return new ClassificationDataset(x, y, [8], 3);
        }
        return (Make(96, seed), Make(30, seed + 1));
    }

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "focuslab-train-" + Guid.NewGuid().ToString("N"));

    private static TrainOptions Options(string model, string dir, bool resume = false) => new()
    {
        Model = model, Optimizer = "adamw:lr=0.003,weight_decay=0.01", Steps = 7, Batch = 8, EvalEvery = 3,
        OutputDirectory = dir, Resume = resume, Schedule = "cosine:warmup=2", ClipNorm = 1.0, Seed = 5,
        Layers = 1, Heads = 2, Embedding = 16, BlockSize = 8, Dropout = 0.1, EvalBatches = 2,
    };

    private static ITrainingTask MlpTask(ClassificationDataset train, ClassificationDataset test) => new MlpClassificationTask(train, test, 8, 5);

    private static ITrainingTask GptTask()
    {
        var text = string.Concat(Enumerable.Range(0, 60).Select(i => $"line {i}: the quick brown fox {i * 7 % 13}\n"));
        return new GptLanguageTask(TextCorpus.FromBytes(Encoding.UTF8.GetBytes(text)), new GptConfig(256, 8, 1, 2, 16, 0.1), 8, 2, 5);
    }

    /// <summary>Runs uninterrupted, then interrupted after step 5 (checkpoint at 3) and resumed; the metrics files must be equal.</summary>
    private static void AssertExactResume(string model, Func<ITrainingTask> task)
    {
        string a = TempDir(), b = TempDir();
        try
        {
            var full = new Trainer(Options(model, a), task()).Run();
            Assert.False(full.Diverged);
            using (var cts = new CancellationTokenSource())
                Assert.Throws<OperationCanceledException>(() => new Trainer(Options(model, b), task()).Run(p => { if (p.Step == 5) cts.Cancel(); }, cts.Token));
            Assert.Equal(5, File.ReadAllLines(Path.Combine(b, Trainer.MetricsFile)).Length);
            var resumed = new Trainer(Options(model, b, resume: true), task()).Run();
            Assert.Equal(7, resumed.LastStep);
            var expected = File.ReadAllLines(Path.Combine(a, Trainer.MetricsFile));
            Assert.Equal(7, expected.Length);
            Assert.Equal(expected, File.ReadAllLines(Path.Combine(b, Trainer.MetricsFile)));
            Assert.Contains("\"eval_loss\":", expected[2]);
            Assert.Contains("\"update_mean\":", expected[0]);
        }
        finally
        {
            if (Directory.Exists(a)) Directory.Delete(a, true);
            if (Directory.Exists(b)) Directory.Delete(b, true);
        }
    }

    [Fact]
    public void MlpResumeReproducesTheUninterruptedRun()
    {
        var (train, test) = Synthetic(1);
        AssertExactResume("mlp", () => MlpTask(train, test));
    }

    [Fact]
    public void GptWithDropoutResumeReproducesTheUninterruptedRun() => AssertExactResume("gpt", GptTask);

    [Fact]
    public void NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint()
    {
        var (train, test) = Synthetic(2);
        string dir = TempDir();
        try
        {
            using (var cts = new CancellationTokenSource())
                Assert.Throws<OperationCanceledException>(() => new Trainer(Options("mlp", dir), MlpTask(train, test)).Run(p => { if (p.Step == 4) cts.Cancel(); }, cts.Token));
            var before = File.ReadAllBytes(Path.Combine(dir, Trainer.CheckpointFile));
            train.Features.AsSpan().Fill(float.NaN);
            var result = new Trainer(Options("mlp", dir, resume: true), MlpTask(train, test)).Run();
            Assert.True(result.Diverged);
            Assert.Equal(3, result.LastCheckpointStep);
            Assert.Contains("diverged at step 4", result.Message);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, Trainer.CheckpointFile)));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void ExistingRunsAndMismatchedResumesAreRefused()
    {
        var (train, test) = Synthetic(3);
        string dir = TempDir();
        try
        {
            new Trainer(Options("mlp", dir) with { Steps = 3 }, MlpTask(train, test)).Run();
            Assert.Contains("--resume", Assert.Throws<InvalidOperationException>(() => new Trainer(Options("mlp", dir) with { Steps = 3 }, MlpTask(train, test)).Run()).Message);
            Assert.Contains("same settings", Assert.Throws<ArgumentException>(() => new Trainer(Options("mlp", dir, true) with { Steps = 3, Batch = 8, Optimizer = "signum:lr=0.01" }, MlpTask(train, test)).Run()).Message);
            Assert.Throws<ArgumentException>(() => Options("cnn", dir).Validate());
            Assert.Throws<ArgumentException>(() => (Options("mlp", dir) with { Steps = 0 }).Validate());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void TrainingLowersTheEvaluationLoss()
    {
        var (train, test) = Synthetic(4);
        string dir = TempDir();
        try
        {
            new Trainer(Options("mlp", dir) with { Steps = 60, EvalEvery = 60, Schedule = "constant" }, MlpTask(train, test)).Run();
            var last = File.ReadAllLines(Path.Combine(dir, Trainer.MetricsFile))[^1];
            using var doc = System.Text.Json.JsonDocument.Parse(last);
            Assert.True(doc.RootElement.GetProperty("eval_accuracy").GetDouble() > 0.8, last);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
