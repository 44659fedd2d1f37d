namespace FocusLab.Cli.Tests;

public class ReportCommandTests
{
    [Fact]
    public void Report_collects_a_phase_run_into_one_page_with_its_command()
    {
        string runs = Directory.CreateTempSubdirectory("focuslab-report-cli").FullName;
        try
        {
            string phase = Path.Combine(runs, "phase");
            var (code, _, err) = CliRunner.Run("phase", "--x-points", "4", "--sigma-points", "3", "--lr-points", "2", "--replicates", "2", "--steps", "50", "--out", phase);
            Assert.True(code == 0, err);
            (code, var stdout, err) = CliRunner.Run("report", "--runs", runs);
            Assert.True(code == 0, err);
            Assert.Contains("1 studies", stdout);
            string html = File.ReadAllText(Path.Combine(runs, "report.html"));
            Assert.Contains("Phase diagram", html);
            Assert.Contains("focuslab phase --x-points 4", html);      // the command that made it
            Assert.Contains("<figure><svg", html);
        }
        finally { Directory.Delete(runs, true); }
    }

    [Fact]
    public void Report_on_a_missing_folder_says_how_to_make_one()
    {
        var (code, _, err) = CliRunner.Run("report", "--runs", "/nonexistent/runs");
        Assert.Equal(2, code);
        Assert.Contains("run a study first", err);
    }
}
