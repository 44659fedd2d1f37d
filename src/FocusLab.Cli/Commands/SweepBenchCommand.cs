using System.CommandLine;
using System.Text.Json;
using FocusLab.Bench;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench sweep`: throughput of the phase-diagram sweep engine (see SweepBenchmark).</summary>
internal static class SweepBenchCommand
{
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "Threads for the multi-threaded measurements.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seconds = new Option<double>("--seconds") { Description = "Time budget per measurement.", DefaultValueFactory = _ => 1.0 };
        var json = new Option<bool>("--json") { Description = "Print JSON (the output is JSON either way; accepted for symmetry with other commands)." };
        var cmd = new Command("sweep", "Optimizer steps per second of the phase sweep engine on the 2-D valley, and the projected paper-preset time.") { threads, seconds, json };
        cmd.SetAction(pr =>
        {
            int t = pr.GetValue(threads); double s = pr.GetValue(seconds);
            if (t < 1) { Console.Error.WriteLine("--threads must be ≥ 1"); return 2; }
            if (!(s > 0)) { Console.Error.WriteLine("--seconds must be > 0"); return 2; }
            var result = SweepBenchmark.Run(t, s);
            Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }
}
