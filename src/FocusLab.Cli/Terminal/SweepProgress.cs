using System.Diagnostics;
using FocusLab.Lab.Sweeps;
using Spectre.Console;

namespace FocusLab.Cli.Terminal;

/// <summary>
/// Runs a sweep with a Spectre.Console progress bar (percentage, elapsed, ETA) drawn on stderr, so
/// stdout stays clean for --json. Without an interactive stderr the bar is skipped.
/// </summary>
internal static class SweepProgress
{
    public static (SweepResult Result, double WallSeconds) Run(SweepGrid grid, SweepOptions options, string label, CancellationToken cancel)
    {
        var (_, count) = SweepEngine.ShardRange(grid, options.ShardIndex, options.ShardCount);
        double total = (double)count * grid.NOpt * grid.NLr * grid.Steps;
        long done = 0;
        var sw = Stopwatch.StartNew();
        var work = Task.Run(() => SweepEngine.Run(grid, options, steps => Interlocked.Add(ref done, steps), cancel));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (console.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total));
                    while (!work.Wait(100)) task.Value = Interlocked.Read(ref done);
                    task.Value = Interlocked.Read(ref done);
                });
        }
        try { return (work.GetAwaiter().GetResult(), sw.Elapsed.TotalSeconds); }
        catch (OperationCanceledException) { throw; }
    }
}
