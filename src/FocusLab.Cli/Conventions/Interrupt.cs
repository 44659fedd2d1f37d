using System.Runtime.InteropServices;

namespace FocusLab.Cli.Conventions;

/// <summary>
/// The one cancellation source of the process. The first Ctrl-C (SIGINT) or SIGTERM asks the running
/// command to finish its current step, save a checkpoint and its partial outputs, say where it stopped
/// and how to resume, and exit with <see cref="ExitCode"/>; a second one exits at once.
/// Long-running Lab APIs take <see cref="Token"/>; they only look at it between steps, so an
/// uninterrupted run computes exactly what it computed before.
/// </summary>
internal static class Interrupt
{
    /// <summary>The shell's convention for "stopped by SIGINT" (128 + 2).</summary>
    public const int ExitCode = 130;

    private static readonly CancellationTokenSource Source = new();
    private static int _signals;
    private static volatile bool _graceful;
    private static PosixSignalRegistration? _sigInt, _sigTerm;

    /// <summary>
    /// The token a command passes to the long-running work that stops gracefully on it (finishing the
    /// step, saving a checkpoint). Until a command asks for it, an interrupt ends the process at once:
    /// commands that never look at the token write their files atomically, so nothing is half written.
    /// </summary>
    public static CancellationToken Token
    {
        get
        {
            _graceful = true;
            return Source.Token;
        }
    }

    /// <summary>True once an interrupt arrived.</summary>
    public static bool Requested => Source.IsCancellationRequested;

    /// <summary>Installs the SIGINT and SIGTERM handlers (once, at start-up).</summary>
    public static void Install()
    {
        _sigInt ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigTerm ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancels <see cref="Token"/> as an interrupt would (tests use it in-process).</summary>
    internal static void RequestForTest() => Source.Cancel();

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the process decides when to stop, not the runtime's default handler
        int count = Interlocked.Increment(ref _signals);
        if (count == 1 && _graceful)
        {
            Console.Error.WriteLine($"\nfocuslab: {context.Signal} received: finishing the current step and saving; press Ctrl-C again to quit at once (unsaved work is lost).");
            Source.Cancel();
            return;
        }
        if (count == 1)
            Console.Error.WriteLine($"\nfocuslab: {context.Signal} received: stopped (outputs are written only when complete, so none is half written).");
        else if (Source.IsCancellationRequested)
            Console.Error.WriteLine($"\nfocuslab: second {context.Signal}: quitting at once.");
        Environment.Exit(ExitCode);
    }

    /// <summary>
    /// The command line that continues the interrupted run: the arguments of this process with
    /// <paramref name="extra"/> appended when missing (e.g. <c>--resume</c>), quoted for a POSIX shell.
    /// </summary>
    public static string ResumeCommand(params string[] extra)
    {
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        foreach (var e in extra) if (!args.Contains(e)) args.Add(e);
        return "focuslab " + string.Join(' ', args.Select(ShellQuote));
    }

    internal static string ShellQuote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}
