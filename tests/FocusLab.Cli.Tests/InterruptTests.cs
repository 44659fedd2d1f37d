using System.Diagnostics;
using System.Text.Json;

namespace FocusLab.Cli.Tests;

/// <summary>
/// Ctrl-C during `train` (issue 12): the run finishes its step, checkpoints it, leaves only whole
/// metrics lines, prints where it stopped and the command that resumes it, exits 130; the resumed
/// run is bit-identical to one that was never interrupted.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    private readonly TinyGpt _gpt = new();
    public void Dispose() => _gpt.Dispose();

    [Fact]
    public async Task Sigint_during_train_checkpoints_the_interrupted_step_and_the_resume_is_bit_identical()
    {
        string run = Path.Combine(_gpt.Folder, "interrupted");
        string metrics = Path.Combine(run, "metrics.jsonl");
        using var p = CliRunner.StartFocuslab(null, _gpt.Train("--optimizer", "adamw:lr=0.01", "--steps", "1000000", "--eval-every", "0", "--out", run));
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Interrupt once the run is well under way (a step of this GPT takes well under a millisecond).
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(metrics) && new FileInfo(metrics).Length > 20_000) && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        if (p.HasExited) Assert.Fail($"exited before the interrupt: {await stderr}");
        // A test host started in the background inherits SIGINT ignored and passes it on; then SIGTERM takes the same path.
        CliRunner.Signal(p.Id, CliRunner.IgnoresSigInt(p.Id) ? CliRunner.SIGTERM : CliRunner.SIGINT);
        Assert.True(p.WaitForExit(60_000), "did not stop within 60 s of the signal");
        string err = await stderr;
        await stdout;

        Assert.Equal(130, p.ExitCode);
        Assert.DoesNotContain("   at ", err);
        // Whole lines only, one per step, the last one the step that was checkpointed.
        string text = File.ReadAllText(metrics);
        Assert.EndsWith("\n", text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var steps = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToArray();
        Assert.Equal(Enumerable.Range(1, steps.Length).Select(i => (long)i), steps);
        long stoppedAt = steps[^1];
        using (var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))))
            Assert.Equal(stoppedAt, meta.RootElement.GetProperty("step").GetInt64());
        Assert.Contains($"interrupted after step {stoppedAt} of 1000000; checkpoint at step {stoppedAt}", err);
        Assert.Contains("resume with: focuslab train", err);
        Assert.Contains("--resume", err);

        // Resume to a few steps past the interruption, and run the same number of steps uninterrupted.
        long total = stoppedAt + 5;
        var resumed = CliRunner.Run(_gpt.Train("--optimizer", "adamw:lr=0.01", "--steps", total.ToString(), "--eval-every", "0", "--out", run, "--resume"));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        string straight = Path.Combine(_gpt.Folder, "straight");
        var once = CliRunner.Run(_gpt.Train("--optimizer", "adamw:lr=0.01", "--steps", total.ToString(), "--eval-every", "0", "--out", straight));
        Assert.True(once.ExitCode == 0, once.Stderr);
        Assert.Equal(WithoutTime(Path.Combine(straight, "metrics.jsonl")), WithoutTime(metrics));
        Assert.Equal(total, WithoutTime(metrics).Length);
    }

    /// <summary>Every metrics line without its wall-clock field (the only one that differs between sessions).</summary>
    private static string[] WithoutTime(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l[..l.IndexOf(",\"time_s\"", StringComparison.Ordinal)]).ToArray();
}
