using FocusLab.Engine.Models;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Lab.Tests.Studies.Sharpness;

/// <summary>The sharpness study keeps finished runs, so an interrupted study resumes without retraining them and ends with the same report.</summary>
public sealed class SharpnessRunStoreTests : IDisposable
{
    private static readonly GptConfig TinyGpt = new(VocabSize: 256, BlockSize: 8, Layers: 1, Heads: 2, Embedding: 8);
    private static readonly byte[] Text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 40)));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "focuslab-sharpness-store-" + Guid.NewGuid().ToString("N"));

    private static SharpnessStudyOptions Tiny() => new()
    {
        Model = "gpt", Gpt = TinyGpt, Batch = 2, MeasureBatch = 2, Steps = 6, Checkpoints = [3, 6], ParallelRuns = 1,
        Trajectories = [("sgd", "sgd:lr=0.1,momentum=0.9"), ("adam", "adam:lr=0.003")],
    };

    private static SharpnessTask Gpt(int seed) => new SharpnessGptTask(TinyGpt, Text, 2, 2, seed);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void An_interrupted_study_keeps_its_finished_runs_and_resumes_to_the_uninterrupted_report()
    {
        var options = Tiny();
        var uninterrupted = SharpnessStudy.Run(options, Gpt);

        // Interrupt during the second run: the first (sgd) run has finished and is stored by then.
        using var cancel = new CancellationTokenSource();
        int created = 0;
        SharpnessTask Counting(int seed) { if (++created == 2) cancel.Cancel(); return Gpt(seed); }
        var store = new SharpnessRunStore(_dir, options);
        Assert.Throws<OperationCanceledException>(() => SharpnessStudy.Run(options, Counting, cancel: cancel.Token, store: store));
        Assert.Equal(1, store.Count);

        // The rerun trains only the missing run and reports exactly what the uninterrupted study did.
        int trained = 0;
        SharpnessTask Fresh(int seed) { trained++; return Gpt(seed); }
        var resumed = SharpnessStudy.Run(options, Fresh, store: new SharpnessRunStore(_dir, options));
        Assert.Equal(1, trained);
        Assert.Equal(SharpnessOutput.ToCsv(uninterrupted), SharpnessOutput.ToCsv(resumed));
        Assert.Equal(SharpnessOutput.ToJson(uninterrupted with { ElapsedSeconds = 0 }), SharpnessOutput.ToJson(resumed with { ElapsedSeconds = 0 }));

        // A third run reads everything back and trains nothing.
        trained = 0;
        var again = SharpnessStudy.Run(options, Fresh, store: new SharpnessRunStore(_dir, options));
        Assert.Equal(0, trained);
        Assert.Equal(SharpnessOutput.ToCsv(uninterrupted), SharpnessOutput.ToCsv(again));
    }

    [Fact]
    public void A_store_of_other_settings_is_refused_and_the_degree_of_parallelism_does_not_matter()
    {
        _ = new SharpnessRunStore(_dir, Tiny());
        _ = new SharpnessRunStore(_dir, Tiny() with { ParallelRuns = 4 });
        var e = Assert.Throws<ArgumentException>(() => new SharpnessRunStore(_dir, Tiny() with { Trajectories = [("sgd", "sgd:lr=0.2")] }));
        Assert.Contains("other settings", e.Message);
        Assert.Throws<ArgumentException>(() => new SharpnessRunStore(_dir, Tiny() with { Steps = 7 }));
    }
}
