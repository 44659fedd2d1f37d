using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Bench;

/// <summary>
/// Optimizer steps per second of the phase-diagram sweep engine, per optimizer and for all of them together (id "all", how
/// `focuslab phase` runs), single- and multi-threaded. On the 2-D valley with the paper's three (the default) it also projects
/// the wall time of the paper preset (2.88e10 steps) at the all-optimizer multi-threaded rate. Any toy optimizer specs and the
/// n-D valley can be measured too (e.g. top-k clipping at d = 100, where the per-run threshold is most of a step's work).
/// The machine may be shared: each result also reports steps per CPU-second of this process and the
/// 1-minute load average, and paper_preset_projected_s_if_cores_free projects from the CPU-time rate
/// (what the wall time would be with the cores to ourselves). The figure is the wall-based one.
/// </summary>
public static class SweepBenchmark
{
    /// <param name="threads">Threads of the multi-threaded measurements (1: single-threaded only).</param>
    /// <param name="secondsPerMeasurement">Time budget of each measurement.</param>
    /// <param name="optimizers">Toy optimizer specs to measure; null: the paper's three.</param>
    /// <param name="dimension">2: the 2-D valley; more: the n-D valley of that dimension.</param>
    public static JsonObject Run(int threads, double secondsPerMeasurement = 1.0, IReadOnlyList<ToyOptimizer>? optimizers = null, int dimension = 2)
    {
        var landscape = dimension == 2 ? ValleyKind.Valley2D : ValleyKind.ValleyND;
        var paper = PhasePresets.Build("paper", PhaseAxis.Sharpness, landscape) with { Dimension = dimension };
        var measured = optimizers ?? ToyOptimizer.All;
        bool projects = optimizers is null && dimension == 2;
        var results = new JsonArray();
        double allMulti = 0, allMultiCpu = 0;
        double load = ReadLoadAverage();
        var cases = measured.Select(o => (Id: o.Id, Opts: new[] { o }));
        if (measured.Count > 1) cases = cases.Append(("all", measured.ToArray()));
        foreach (var (id, opts) in cases)
            foreach (int t in threads > 1 ? new[] { 1, threads } : new[] { 1 })
            {
                var (rate, cpuRate) = Measure(paper with { Optimizers = opts }, t, secondsPerMeasurement);
                results.Add(new JsonObject { ["optimizer"] = id, ["threads"] = t, ["steps_per_s"] = Math.Round(rate), ["steps_per_cpu_s"] = Math.Round(cpuRate) });
                if (opts.Length > 1 && t == threads) { allMulti = rate; allMultiCpu = cpuRate; }
            }
        var json = new JsonObject
        {
            ["landscape"] = dimension == 2 ? "valley2d" : "valleynd",
            ["dimension"] = dimension,
            ["steps_per_run"] = StepsPerRun(paper),
            ["results"] = results,
        };
        if (projects)
        {
            json["paper_preset_steps"] = paper.TotalSteps;
            json["paper_preset_projected_s"] = Math.Round(paper.TotalSteps / allMulti, 1);
            json["paper_preset_projected_s_if_cores_free"] = Math.Round(paper.TotalSteps / (allMultiCpu * threads), 1);
        }
        json["load_average_1min_at_start"] = load;
        json["processor_count"] = Environment.ProcessorCount;
        return json;
    }

    // An n-D step costs about d/2 times a 2-D one: shorter runs keep one grid inside a short time budget.
    private static int StepsPerRun(SweepGrid paper) => paper.Dimension == 2 ? paper.Steps : 200;

    private static double ReadLoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return double.NaN; }
    }

    /// <summary>Runs slices of the paper grid (same learning rates, a and σ spread) until the time budget is spent.</summary>
    /// <returns>Steps per wall-clock second and steps per CPU-second used by this process.</returns>
    private static (double Wall, double Cpu) Measure(SweepGrid paper, int threads, double seconds)
    {
        var grid = paper with
        {
            XValues = SweepGrid.Logspace(-1, 3, paper.Dimension == 2 ? 16 : 4),
            SigmaValues = SweepGrid.Linspace(0, 3, paper.Dimension == 2 ? 16 : 4),
            Replicates = 8,
            Steps = StepsPerRun(paper),
        };
        SweepEngine.Run(grid with { Replicates = 1, Steps = 200 }, new SweepOptions { Threads = threads }); // JIT warm-up
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        double steps = 0; int seed = 0;
        do
        {
            var r = SweepEngine.Run(grid with { Seed = (ulong)seed++ }, new SweepOptions { Threads = threads });
            steps += r.Steps;
        } while (sw.Elapsed.TotalSeconds < seconds);
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        return (steps / wall, steps / cpu);
    }
}
