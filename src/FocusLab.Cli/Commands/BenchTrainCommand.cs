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
        var profile = new Option<string?>("--profile") { Description = "Instead of timing, print where one step's time goes, per operation: gpt, mlp (batch 128) or mlp4096." };
        var cmd = new Command("train", "Median training-step time: GPT (4 layers, 128 wide, block 64, batch 16) and the FOCUS MLP (batch 128, 4096), AdamW, each GEMM back end.") { json, steps, profile };
        cmd.SetAction(r =>
        {
            if (r.GetValue(steps) < 1) throw new ArgumentException("--steps must be at least 1.");
            Console.Error.WriteLine($"  optimizer {TrainBenchmark.OptimizerSpec}; {Environment.ProcessorCount} cores");
            if (r.GetValue(profile) is { } which)
            {
                var (model, batch) = which switch
                {
                    "gpt" => ("gpt", 16),
                    "mlp" => ("mlp", 128),
                    "mlp4096" => ("mlp", 4096),
                    _ => throw new ArgumentException($"--profile '{which}' is not a benchmark; use gpt, mlp or mlp4096."),
                };
                var rows = TrainBenchmark.Profile(model, batch, r.GetValue(steps));
                double total = rows.Sum(x => x.Seconds);
                if (r.GetValue(json))
                {
                    Console.WriteLine(Json.Serialize(new { model, batch, backend = FocusLab.Engine.Kernels.Gemm.Gemm.BackendName, total_s = total,
                        operations = rows.Select(x => new { name = x.Name, calls = x.Calls, seconds = x.Seconds }) }));
                    return 0;
                }
                var t = new Table().AddColumns("operation", "calls/step", "ms/step", "share");
                foreach (var x in rows) t.AddRow(x.Name, x.Calls.ToString(), $"{x.Seconds * 1e3:F3}", $"{x.Seconds / total:P1}");
                t.AddRow("total", "", $"{total * 1e3:F3}", "");
                AnsiConsole.Write(t);
                return 0;
            }
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
