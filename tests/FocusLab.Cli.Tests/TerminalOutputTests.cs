using System.Globalization;
using System.Text.Json;

namespace FocusLab.Cli.Tests;

/// <summary>Tables in a pipe (issue 12): plain aligned text that never breaks a number, or CSV / JSON with --format.</summary>
public sealed class TerminalOutputTests
{
    [Fact]
    public void Optimizers_in_a_pipe_print_one_unbroken_line_per_hyperparameter()
    {
        var (code, stdout, stderr) = CliRunner.Run("optimizers");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n');
        Assert.DoesNotContain(lines, l => l.Contains('│') || l.Contains('┃'));
        var adamEps = lines.Single(l => l.StartsWith("adam ") && l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1].Trim() == "eps");
        Assert.Equal("1E-08", adamEps.Split("  ", StringSplitOptions.RemoveEmptyEntries)[2].Trim());
    }

    [Fact]
    public void Rotation_table_cells_in_a_pipe_are_whole_numbers_and_csv_matches()
    {
        string[] args = ["rotation", "--quadratic", "--dim", "6", "--steps", "30", "--seeds", "1", "--scales", "0,1", "--lrs", "-4:0:3", "--samples", "16",
                         "--out", Directory.CreateTempSubdirectory("focuslab-rot-").FullName];
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n').SkipWhile(l => !l.StartsWith("rotation ")).Skip(2).TakeWhile(l => l.StartsWith("s=") || l.StartsWith("random")).ToList();
        Assert.Equal(3, rows.Count); // s=0, s=1, random: one line each
        foreach (var row in rows)
        {
            var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(11, cells.Length);
            foreach (var c in cells.Skip(1))
                Assert.True(double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || c == "diverged", $"cell '{c}' in '{row}'");
        }
        var csv = CliRunner.Run([.. args, "--format", "csv"]);
        Assert.True(csv.ExitCode == 0, csv.Stderr);
        var csvLines = csv.Stdout.Split('\n').Where(l => l.StartsWith("rotation,") || l.StartsWith("s=") || l.StartsWith("random,")).ToList();
        Assert.Equal(4, csvLines.Count);
        Assert.Equal(rows.Select(r => string.Join(',', r.Split(' ', StringSplitOptions.RemoveEmptyEntries))), csvLines.Skip(1));
    }

    [Fact]
    public void Format_json_prints_the_table_as_objects()
    {
        var (code, stdout, stderr) = CliRunner.Run("optimizers", "focus", "--format", "json");
        Assert.True(code == 0, stderr);
        var rows = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToArray();
        Assert.Equal("0.999", rows.Single(r => r.GetProperty("hyperparameter").GetString() == "beta2").GetProperty("default").GetString());
    }
}
