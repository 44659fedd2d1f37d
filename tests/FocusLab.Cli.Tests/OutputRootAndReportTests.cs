namespace FocusLab.Cli.Tests;

/// <summary>
/// One output root (issue 12): every command writes under runs/&lt;command&gt;-&lt;name&gt;/ by default and
/// `focuslab report` finds every study there, training runs included; `report --check` fails when it
/// found nothing, when a study file cannot be read, or when a figure does not render, naming it.
/// </summary>
public sealed class OutputRootAndReportTests : IDisposable
{
    private readonly TinyGpt _gpt = new();
    public void Dispose() => _gpt.Dispose();

    private string Cwd
    {
        get
        {
            string cwd = Path.Combine(_gpt.Folder, "cwd");
            Directory.CreateDirectory(cwd);
            return cwd;
        }
    }

    [Fact]
    public void Every_command_writes_under_runs_and_report_shows_every_study()
    {
        string cwd = Cwd;
        void Ok((int Code, string Stdout, string Stderr) r) => Assert.True(r.Code == 0, r.Stderr);
        Ok(CliRunner.RunIn(cwd, "phase", "--x-points", "3", "--sigma-points", "2", "--lr-points", "2", "--replicates", "2", "--steps", "20"));
        Ok(CliRunner.RunIn(cwd, "rotation", "--quadratic", "--dim", "6", "--steps", "30", "--seeds", "1", "--scales", "0,1", "--lrs", "-2:0:3", "--samples", "16"));
        Ok(CliRunner.RunIn(cwd, _gpt.Train("--optimizer", "adamw:lr=0.01", "--steps", "20", "--eval-every", "10")));
        Ok(CliRunner.RunIn(cwd, "geometry", "--run", "runs/train-gpt-adamw", "--data", _gpt.Corpus, "--batch", "2", "--lanczos", "4", "--hutchinson", "2", "--slice-1d", "5", "--slice-2d", "3"));
        Assert.Equal(["geometry-train-gpt-adamw", "phase-sharpness-quick", "rotation-quadratic", "train-gpt-adamw"],
            Directory.GetDirectories(Path.Combine(cwd, "runs")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray());
        Assert.False(Directory.Exists(Path.Combine(cwd, "out")));

        var (code, stdout, stderr) = CliRunner.RunIn(cwd, "report");
        Assert.True(code == 0, stderr);
        Assert.Contains("4 studies", stdout);
        Assert.Contains("Phase diagram", stdout);
        Assert.Contains("Rotation study on a quadratic", stdout);
        Assert.Contains("Loss geometry of a trained model", stdout);
        Assert.Contains("Training run: train-gpt-adamw (gpt, adamw:lr=0.01", stdout);
        string html = File.ReadAllText(Path.Combine(cwd, "runs", "report.html"));
        Assert.Contains("training_loss.svg", html);                 // the training run's loss curve
        Assert.Contains("focuslab rotation --quadratic", html);     // the command of every study
        Assert.Contains("focuslab train --model gpt", html);
    }

    [Fact]
    public void Report_on_an_empty_folder_fails_instead_of_passing_with_nothing()
    {
        string empty = Path.Combine(_gpt.Folder, "empty");
        Directory.CreateDirectory(empty);
        foreach (var args in new[] { new[] { "report", "--runs", empty }, ["report", "--runs", empty, "--check"] })
        {
            var (code, _, stderr) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Contains($"no studies found under {empty}", stderr);
            Assert.False(File.Exists(Path.Combine(empty, "report.html")));
        }
    }

    [Fact]
    public void A_broken_study_file_is_named_and_fails_the_check()
    {
        string runs = Path.Combine(_gpt.Folder, "runs");
        var made = CliRunner.Run("phase", "--x-points", "3", "--sigma-points", "2", "--lr-points", "2", "--replicates", "2", "--steps", "20", "--out", Path.Combine(runs, "phase"));
        Assert.True(made.ExitCode == 0, made.Stderr);
        File.WriteAllText(Path.Combine(runs, "phase", "summary.json"), "{\"wall_seconds\": 1.5, \"winners\": [[0, 1");
        var (code, _, stderr) = CliRunner.Run("report", "--runs", runs);
        Assert.Equal(0, code); // the page is still written, with a warning
        Assert.Contains($"warning: {Path.Combine("phase", "summary.json")} could not be read (not valid JSON", stderr);
        (code, _, stderr) = CliRunner.Run("report", "--runs", runs, "--check");
        Assert.Equal(1, code);
        Assert.Contains($"--check failed: 1 study file(s) could not be read: {Path.Combine("phase", "summary.json")}", stderr);
    }

    [Fact]
    public void A_figure_that_does_not_render_is_named_by_the_check()
    {
        string runs = Path.Combine(_gpt.Folder, "runs");
        string study = Path.Combine(runs, "broken-study");
        Directory.CreateDirectory(study);
        File.WriteAllText(Path.Combine(study, "fine.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"40\"><rect width=\"30\" height=\"30\"/></svg>");
        File.WriteAllText(Path.Combine(study, "empty.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"40\"></svg>");
        var (code, _, stderr) = CliRunner.Run("report", "--runs", runs, "--check");
        if (stderr.Contains("Chromium was not found"))
        {
            // Without a browser the check cannot run; it must say how to get one, with the bad-input code.
            Assert.Equal(2, code);
            Assert.Contains("apt-get install chromium", stderr);
            return;
        }
        Assert.Equal(1, code);
        Assert.Contains("not rendered: broken-study/empty.svg", stderr);
        Assert.DoesNotContain("fine.svg", stderr);
    }
}
