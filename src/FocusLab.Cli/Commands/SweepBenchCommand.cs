using System.CommandLine;
using System.Text.Json;
using FocusLab.Bench;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench sweep`: throughput of the phase-diagram sweep engine (see SweepBenchmark).</summary>
internal static class SweepBenchCommand
{
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "Threads for the multi-threaded measurements.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seconds = new Option<double>("--seconds") { Description = "Time budget per measurement.", DefaultValueFactory = _ => 1.0 };
        var json = new Option<bool>("--json") { Description = "Print JSON (the output is JSON either way; accepted for symmetry with other commands)." };
        var optimizers = new Option<string?>("--optimizers") { Description = "Toy optimizer specs to measure, as `phase --optimizers` takes them (default: adam,signum,focus, with the paper-preset projection)." };
        var dim = new Option<int>("--dim") { Description = "Valley dimension: 2 (default) for the 2-D valley, more for the n-D valley (e.g. 100 with clip_fraction specs).", DefaultValueFactory = _ => 2 };
        var cmd = new Command("sweep", "Optimizer steps per second of the phase sweep engine (2-D valley by default), and the projected paper-preset time.") { threads, seconds, json, optimizers, dim };
        cmd.SetAction(pr =>
        {
            int t = pr.GetValue(threads); double s = pr.GetValue(seconds);
            if (t < 1) { Console.Error.WriteLine("--threads must be ≥ 1"); return 2; }
            if (!(s > 0)) { Console.Error.WriteLine("--seconds must be > 0"); return 2; }
            int d = pr.GetValue(dim);
            if (d < 2) { Console.Error.WriteLine("--dim must be ≥ 2 (2: the 2-D valley)"); return 2; }
            var specs = pr.GetValue(optimizers) is { } list ? ToyOptimizer.ParseList(list) : null;
            var result = SweepBenchmark.Run(t, s, specs, d);
            Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }
}
