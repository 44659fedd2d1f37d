namespace FocusLab.Cli.Tests;

/// <summary>The `./focuslab` script says why its first call is slow before it builds (issue 12).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and signals are POSIX
public sealed class LauncherScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-script-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepositoryScript()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "focuslab")) && File.Exists(Path.Combine(d.FullName, "FocusLab.slnx")))
                return Path.Combine(d.FullName, "focuslab");
        throw new FileNotFoundException("the ./focuslab script was not found above the test folder");
    }

    [Fact]
    public void The_first_call_announces_the_build_and_later_calls_do_not()
    {
        // A copy of the script in a folder of its own, with a stand-in `dotnet` that logs its calls and
        // "builds" by creating the output file, so the test measures the script, not a real build.
        string script = Path.Combine(_dir, "focuslab");
        File.Copy(RepositoryScript(), script);
        Directory.CreateDirectory(Path.Combine(_dir, "src"));
        File.WriteAllText(Path.Combine(_dir, "src", "A.cs"), "");
        File.WriteAllText(Path.Combine(_dir, "Directory.Build.props"), "<Project/>");
        string bin = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(bin);
        string fake = Path.Combine(bin, "dotnet");
        File.WriteAllText(fake, """
            #!/usr/bin/env bash
            echo "$*" >> "$(dirname "$0")/calls.log"
            if [ "$1" = build ]; then
              while [ $# -gt 0 ]; do [ "$1" = -o ] && { mkdir -p "$2"; touch "$2/focuslab.dll"; }; shift; done
            else
              echo ran
            fi
            """.Replace("\r", ""));
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        var env = new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") };

        var first = CliRunner.RunProgram(script, ["optimizers"], environment: env);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.StartsWith("focuslab: building FocusLab (first run, ~30 s)…", first.Stderr);
        Assert.Equal("ran\n", first.Stdout);
        var calls = File.ReadAllLines(Path.Combine(bin, "calls.log"));
        Assert.StartsWith("build ", calls[0]);

        var second = CliRunner.RunProgram(script, ["optimizers"], environment: env);
        Assert.Equal("", second.Stderr);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(bin, "calls.log")).Length); // build, run, run
    }
}
