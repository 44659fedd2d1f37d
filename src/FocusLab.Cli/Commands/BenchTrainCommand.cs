using System.CommandLine;
using FocusLab.Bench;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench train`: training-step time of the GPT and MLP benchmark models with AdamW.</summary>
internal static class BenchTrainCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout." };
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration (median reported).", DefaultValueFactory = _ => 20 };
        var cmd = new Command("train", "Median training-step time: GPT (4 layers, 128 wide, block 64, batch 16) and the FOCUS MLP (batch 128, 4096), AdamW, each GEMM back end.") { json, steps };
        cmd.SetAction(r =>
        {
            if (r.GetValue(steps) < 1) throw new ArgumentException("--steps must be at least 1.");
            Console.Error.WriteLine($"  optimizer {TrainBenchmark.OptimizerSpec}; {Environment.ProcessorCount} cores");
            // Shared machines: the load average says how much the numbers below were disturbed.
            if (File.Exists("/proc/loadavg")) Console.Error.WriteLine($"  load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
            var report = TrainBenchmark.Run(r.GetValue(steps), msg => Console.Error.WriteLine($"  {msg}"));
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(report)); return 0; }
            var table = new Table().AddColumns("model", "batch", "backend", "median step (ms)", "tokens/s", "samples/s");
            foreach (var x in report.Results)
                table.AddRow(x.Model, x.Batch.ToString(), x.Backend, $"{x.MedianStepS * 1e3:F2}", x.TokensPerS?.ToString("F0") ?? "", x.SamplesPerS?.ToString("F0") ?? "");
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
