using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Bench;

/// <summary>
/// Optimizer steps per second of the phase-diagram sweep engine on the 2-D valley, per optimizer and
/// for all three together (id "all", how `focuslab phase` runs), single- and multi-threaded, and the projected
/// wall time of the paper preset (2.88e10 steps) at the all-optimizer multi-threaded rate.
/// </summary>
public static class SweepBenchmark
{
    public static JsonObject Run(int threads, double secondsPerMeasurement = 1.0)
    {
        var paper = PhasePresets.Build("paper", PhaseAxis.Sharpness, ValleyKind.Valley2D);
        var results = new JsonArray();
        double allMulti = 0;
        var cases = ToyOptimizer.All.Select(o => (Id: o.Id, Opts: new[] { o })).Append(("all", ToyOptimizer.All.ToArray()));
        foreach (var (id, opts) in cases)
            foreach (int t in threads > 1 ? new[] { 1, threads } : new[] { 1 })
            {
                double rate = Measure(paper with { Optimizers = opts }, t, secondsPerMeasurement);
                results.Add(new JsonObject { ["optimizer"] = id, ["threads"] = t, ["steps_per_s"] = Math.Round(rate) });
                if (opts.Length > 1 && t == threads) allMulti = rate;
            }
        return new JsonObject
        {
            ["landscape"] = "valley2d",
            ["steps_per_run"] = paper.Steps,
            ["results"] = results,
            ["paper_preset_steps"] = paper.TotalSteps,
            ["paper_preset_projected_s"] = Math.Round(paper.TotalSteps / allMulti, 1),
        };
    }

    /// <summary>Runs slices of the paper grid (same learning rates, a and σ spread) until the time budget is spent.</summary>
    private static double Measure(SweepGrid paper, int threads, double seconds)
    {
        var grid = paper with
        {
            XValues = SweepGrid.Logspace(-1, 3, 16),
            SigmaValues = SweepGrid.Linspace(0, 3, 16),
            Replicates = 8,
        };
        SweepEngine.Run(grid with { Replicates = 1, Steps = 200 }, new SweepOptions { Threads = threads }); // JIT warm-up
        var sw = Stopwatch.StartNew();
        double steps = 0; int seed = 0;
        do
        {
            var r = SweepEngine.Run(grid with { Seed = (ulong)seed++ }, new SweepOptions { Threads = threads });
            steps += r.Steps;
        } while (sw.Elapsed.TotalSeconds < seconds);
        return steps / sw.Elapsed.TotalSeconds;
    }
}
