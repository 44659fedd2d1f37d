using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Tests.Reports;

public sealed class StudyReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("focuslab-report").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Study(string name, params (string File, string Text)[] files)
    {
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        foreach (var (f, t) in files) File.WriteAllText(Path.Combine(dir, f), t);
        return dir;
    }

    private const string Svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"5\" height=\"5\"/></svg>";

    [Fact]
    public void Every_folder_with_figures_becomes_a_section_with_its_command_tables_and_settings()
    {
        Study("phase", ("best_lr_adam.svg", Svg), ("winner_map.svg", Svg), ("command.txt", "focuslab phase --out runs/phase\n"), ("sigma_c.csv", "a,sigma_c\n0.1,0.3\n1,0.8\n"));
        Study("race", ("val_curves.svg", Svg), ("race.json", "{\"command\": \"focuslab lm-race --preset quick\", \"x\": 1}"));
        Study("empty");                                   // no figures: not a study
        var sections = StudyReport.Collect(_root);
        Assert.Equal(2, sections.Count);
        var phase = sections.Single(s => s.Folder == "phase");
        Assert.StartsWith("Phase diagram", phase.Title);
        Assert.Equal("focuslab phase --out runs/phase", phase.Command);
        Assert.Equal("winner_map.svg", phase.Figures[0].Name);   // headline figure first
        Assert.Equal(["a", "sigma_c"], phase.Tables.Single().Header);
        Assert.Equal(2, phase.Tables.Single().Rows.Count);
        var race = sections.Single(s => s.Folder == "race");
        Assert.Equal("focuslab lm-race --preset quick", race.Command);
        Assert.Equal("race.json", race.Settings.Single().Name);
    }

    [Fact]
    public void The_page_is_self_contained_and_inlines_every_figure()
    {
        Study("phase", ("winner_map.svg", Svg), ("other.svg", Svg), ("t.csv", "name,value\n\"a,b\",<1>\n"));
        string html = StudyReport.Render(StudyReport.Collect(_root), "FocusLab studies");
        Assert.Equal(2, CountOf(html, "<figure><svg"));
        Assert.DoesNotContain("<?xml", html);
        // Nothing is fetched: no external scripts, styles, images or links.
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("href=\"http", html);
        // CSV cells are escaped, quoted commas kept.
        Assert.Contains("<td>a,b</td><td>&lt;1&gt;</td>", html);
        Assert.Contains("dataset.rendered", html); // the hook `focuslab report --check` reads in Chromium
    }

    [Fact]
    public void A_missing_folder_names_the_fix()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => StudyReport.Collect(Path.Combine(_root, "nope")));
        Assert.Contains("./focuslab phase", e.Message);
    }

    private static int CountOf(string s, string sub)
    {
        int n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}

public sealed class StudyScanTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("focuslab-scan").FullName;
    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string TrainRun(string dir, int steps)
    {
        Directory.CreateDirectory(dir);
        var meta = new FocusLab.Lab.Training.RunMeta(FocusLab.Lab.Training.RunMeta.CurrentFormat, "mlp", steps, steps, "adamw:lr=0.001", "constant", null, 0, 1.0,
            new Dictionary<string, string> { ["model"] = "mlp", ["batch"] = "32" });
        File.WriteAllText(Path.Combine(dir, "run.json"), meta.ToJson());
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), string.Concat(Enumerable.Range(1, steps).Select(s =>
            new FocusLab.Lab.Training.StepMetrics(s, 0.001, 2.0 / s, s == steps ? 0.5 : null, s == steps ? 0.8 : null, 1, null, null, null, s * 0.1).ToJson() + "\n")));
        return dir;
    }

    [Fact]
    public void A_training_run_is_a_study_with_its_loss_curve_and_settings()
    {
        TrainRun(Path.Combine(_root, "train-mlp-adamw"), 5);
        var section = StudyReport.Scan(_root).Sections.Single();
        Assert.Equal("Training run", section.Title);
        Assert.Equal("training_loss.svg", section.Figures[0].Name);
        Assert.StartsWith("<svg", section.Figures[0].Svg);
        Assert.StartsWith("mlp, adamw:lr=0.001, schedule constant, step 5 of 5, eval loss 0.5 at step 5", section.Summary);
    }

    [Fact]
    public void The_runs_inside_an_lm_race_belong_to_the_race()
    {
        string race = Path.Combine(_root, "lm-race-quick");
        Directory.CreateDirectory(race);
        File.WriteAllText(Path.Combine(race, "race-config.json"), "{}");
        TrainRun(Path.Combine(race, "runs", "adamw", "seed1"), 3);
        var sections = StudyReport.Scan(_root).Sections;
        Assert.Equal("Language-model race (FOCUS fig. 3, S3 table 2)", sections.Single().Title);
    }

    [Fact]
    public void Unreadable_study_files_are_problems_naming_the_file_and_a_cut_metrics_line_is_a_note()
    {
        string phase = Path.Combine(_root, "phase");
        Directory.CreateDirectory(phase);
        File.WriteAllText(Path.Combine(phase, "winners.csv"), "a,b\n1,2\n");
        File.WriteAllText(Path.Combine(phase, "summary.json"), "{\"wall_seconds\": 1.5,");
        string run = TrainRun(Path.Combine(_root, "train"), 4);
        File.AppendAllText(Path.Combine(run, "metrics.jsonl"), "{\"step\":5,");
        var scan = StudyScan(_root);
        Assert.Equal(2, scan.Sections.Count);
        Assert.StartsWith($"{Path.Combine("phase", "summary.json")} could not be read (not valid JSON", scan.Problems.Single());
        Assert.Contains("partial last line", scan.Notes.Single());
    }

    private static StudyScan StudyScan(string root) => StudyReport.Scan(root);
}
