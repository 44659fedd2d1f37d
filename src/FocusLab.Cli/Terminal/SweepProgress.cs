using System.Diagnostics;
using FocusLab.Lab.Sweeps;
using Spectre.Console;

namespace FocusLab.Cli.Terminal;

/// <summary>
/// Runs a sweep with a Spectre.Console progress bar (percentage, elapsed, ETA) drawn on stderr, so
/// stdout stays clean for --json. Without an interactive stderr (cluster logs, pipes) a plain line
/// with the percentage and ETA is written every 10% instead.
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
        // Interactivity is decided by stderr alone: `--json > file` in a terminal still gets the bar.
        bool tty = !Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = tty ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (tty)
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
        else
        {
            int reported = 0;
            while (!work.Wait(250))
            {
                double f = Interlocked.Read(ref done) / Math.Max(1, total);
                if ((int)(f * 10) > reported)
                {
                    reported = (int)(f * 10);
                    double eta = sw.Elapsed.TotalSeconds * (1 - f) / Math.Max(f, 1e-9);
                    Console.Error.WriteLine($"{label}: {f * 100:0}% after {HumanUnits.Seconds(sw.Elapsed.TotalSeconds)}, about {HumanUnits.Seconds(eta)} left");
                }
            }
        }
        return (work.GetAwaiter().GetResult(), sw.Elapsed.TotalSeconds);
    }
}
