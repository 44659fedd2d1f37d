using System.Diagnostics;

namespace FocusLab.Cli.Tests;

/// <summary>
/// Issue 12, tried as a new user would: every bad input gets one line that names the input and the
/// fix, exit code 2, no stack trace, no help dump, no silent default, and no work done first.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and signals are POSIX
public sealed class BadInputTests : IDisposable
{
    private readonly TinyGpt _gpt = new();
    public void Dispose() => _gpt.Dispose();

    private string Out(string name) => Path.Combine(_gpt.Folder, name);

    private static void OneLineError(int code, string stdout, string stderr, params string[] expected)
    {
        Assert.True(code == 2, $"exit {code}; stderr: {stderr}");
        Assert.Equal("", stdout);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
        Assert.DoesNotContain("Usage:", stderr); // no help dump
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("focuslab: error:")).ToList();
        Assert.Single(errors);
        foreach (var e in expected) Assert.Contains(e, errors[0]);
    }

    [Fact]
    public void An_output_folder_that_cannot_be_written_is_refused_before_training()
    {
        string locked = Out("locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(_gpt.Folder, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_gpt.Corpus, (UnixFileMode)0b110_100_100);
        string[] args = [.. _gpt.Train("--optimizer", "adamw", "--steps", "5", "--out", Path.Combine(locked, "run"))];
        // Root ignores folder modes, so the check needs an ordinary user: drop to `nobody` (CI runs as root).
        string? setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        (int code, string stdout, string stderr) result;
        if (Environment.UserName != "root") result = CliRunner.Run(args);
        // `nobody` must be able to reach the built command: a clone inside a private folder (mktemp -d is 0700) is not.
        else if (setpriv is not null && OthersCanRead(CliRunner.Dll)) result = CliRunner.RunProgram(setpriv, ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "dotnet", CliRunner.Dll, .. args],
            environment: new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp" });
        else
        {
            // Without setpriv (or a build nobody can run), an output path below a file is the unwritable folder that root cannot create either.
            File.WriteAllText(Out("a-file"), "");
            result = CliRunner.Run([.. _gpt.Train("--optimizer", "adamw", "--steps", "5", "--out", Path.Combine(Out("a-file"), "run"))]);
            OneLineError(result.code, result.stdout, result.stderr, "--out", "cannot be created");
            return;
        }
        OneLineError(result.code, result.stdout, result.stderr, "--out", Path.Combine(locked, "run"), "permission denied", "choose a folder you can write to");
    }

    /// <summary>True when any user can read <paramref name="file"/>: it is world-readable and every folder above it world-searchable.</summary>
    private static bool OthersCanRead(string file)
    {
        if (!File.GetUnixFileMode(file).HasFlag(UnixFileMode.OtherRead)) return false;
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(file)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            if (!File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute)) return false;
        return true;
    }

    [Fact]
    public void An_empty_optimizer_setting_is_refused_instead_of_training_with_defaults()
    {
        var (code, stdout, stderr) = CliRunner.Run(_gpt.Train("--optimizer", "focus:,", "--steps", "2", "--out", Out("run")));
        OneLineError(code, stdout, stderr, "focus:,", "empty setting", "name=value");
        Assert.False(File.Exists(Path.Combine(Out("run"), "metrics.jsonl")));
    }

    [Fact]
    public void A_resumed_run_compares_the_optimizer_by_value_and_lists_every_mismatch()
    {
        string run = Out("run");
        var first = CliRunner.Run(_gpt.Train("--optimizer", "focus:lr=1e-3", "--steps", "6", "--stop-after", "3", "--eval-every", "0", "--out", run));
        Assert.True(first.ExitCode == 0, first.Stderr);
        // The same value written differently continues the run.
        var same = CliRunner.Run(_gpt.Train("--optimizer", "focus:LR=0.001", "--steps", "6", "--eval-every", "0", "--out", run, "--resume", "--json"));
        Assert.True(same.ExitCode == 0, same.Stderr);
        Assert.Contains("\"last_step\":6", same.Stdout);
        // Different values are all named, with both values.
        var other = CliRunner.Run(_gpt.Train("--optimizer", "focus:lr=2e-3,gamma=0.3", "--clip", "1", "--steps", "6", "--eval-every", "0", "--out", run, "--resume"));
        OneLineError(other.ExitCode, other.Stdout, other.Stderr, "lr 0.001 → 0.002", "gamma 0.1 → 0.3", "--clip (none) → 1");
    }

    [Fact]
    public void A_number_option_given_text_names_the_option_and_the_expected_type()
    {
        var (code, stdout, stderr) = CliRunner.Run(_gpt.Train("--optimizer", "adamw", "--steps", "abc", "--out", Out("run")));
        OneLineError(code, stdout, stderr, "--steps expects a whole number, got 'abc'");
        Assert.DoesNotContain("System.Int32", stderr);
        Assert.True(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 2, stderr); // the error and where the options are described
        Assert.Contains("focuslab train --help", stderr);
    }

    [Fact]
    public void A_zero_model_size_names_the_option_not_an_internal_record()
    {
        var (code, stdout, stderr) = CliRunner.Run(_gpt.Train("--optimizer", "adamw", "--block-size", "0", "--out", Out("run")));
        OneLineError(code, stdout, stderr, "--block-size must be ≥ 1; got 0");
        Assert.DoesNotContain("GptConfig", stderr);
    }

    [Fact]
    public void An_output_path_that_is_a_file_is_refused_before_any_computing()
    {
        string file = Out("phase-out");
        File.WriteAllText(file, "not a folder");
        var clock = Stopwatch.StartNew();
        // The paper preset would compute 2.9e10 steps first on the old code.
        var (code, stdout, stderr) = CliRunner.Run("phase", "--preset", "paper", "--out", file);
        OneLineError(code, stdout, stderr, $"--out {file} is an existing file", "pass a folder path");
        Assert.DoesNotContain("optimizer steps", stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal("not a folder", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("focus:lr=inf")]
    [InlineData("focus:lr=1e999")]
    public void A_non_finite_learning_rate_gets_the_valid_range(string spec)
    {
        var (code, stdout, stderr) = CliRunner.Run(_gpt.Train("--optimizer", spec, "--out", Out("run")));
        OneLineError(code, stdout, stderr, "lr = ", "not a finite number", "lr must be a finite number ≥ 0");
        Assert.DoesNotContain("cannot read", stderr);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_to_the_one_line_message()
    {
        var (code, _, stderr) = CliRunner.Run("optimizers", "nadamw", "--verbose");
        Assert.Equal(2, code);
        Assert.StartsWith("focuslab: error: Unknown optimizer 'nadamw'", stderr);
        Assert.Contains("   at ", stderr);
    }
}
