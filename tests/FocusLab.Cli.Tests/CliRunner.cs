using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FocusLab.Cli.Tests;

/// <summary>Runs the built `focuslab` command (focuslab.dll beside the tests) as a separate process, as a user would.</summary>
internal static partial class CliRunner
{
    public static string Dll
    {
        get
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "focuslab.dll");
            Assert.True(File.Exists(dll), $"focuslab.dll not found beside the tests at {dll}");
            return dll;
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs focuslab with <paramref name="workingDirectory"/> as its current folder (default: the test's).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunIn(string? workingDirectory, params string[] args) =>
        RunProgram("dotnet", [Dll, .. args], workingDirectory);

    /// <summary>Runs any program to completion (2 min at most) and returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunProgram(string program, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var p = Start(program, args, workingDirectory, environment);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 120 s"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts focuslab without waiting (for tests that signal it); SIGINT is reset to its default disposition
    /// when `env --default-signal` exists, because a test host started in the background inherits SIGINT ignored.</summary>
    public static Process StartFocuslab(string? workingDirectory, params string[] args) =>
        EnvResetsSignals.Value
            ? Start("env", ["--default-signal=INT", "dotnet", Dll, .. args], workingDirectory, null)
            : Start("dotnet", [Dll, .. args], workingDirectory, null);

    private static Process Start(string program, IEnumerable<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    private static readonly Lazy<bool> EnvResetsSignals = new(() =>
    {
        try { return RunProgram("env", ["--default-signal=INT", "true"]).ExitCode == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });

    public const int SIGINT = 2, SIGTERM = 15;

    /// <summary>Sends <paramref name="signal"/> to a process (POSIX kill(2)).</summary>
    public static void Signal(int pid, int signal) => Assert.Equal(0, Kill(pid, signal));

    /// <summary>True when the process ignores SIGINT (bit 2 of SigIgn in /proc/PID/status).</summary>
    public static bool IgnoresSigInt(int pid)
    {
        string status = Path.Combine("/proc", pid.ToString(), "status");
        if (!File.Exists(status)) return false;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:"));
        return line is not null && (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << (SIGINT - 1))) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
