using System.CommandLine;
using FocusLab.Bench;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench optim`: optimizer step throughput against the machine's copy bandwidth.</summary>
internal static class BenchOptimCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout." };
        var size = new Option<int>("--params") { Description = "Parameters per step.", DefaultValueFactory = _ => 1 << 24 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration (median reported).", DefaultValueFactory = _ => 15 };
        var optimizers = new Option<string>("--optimizers") { Description = "Comma-separated ids: adamw, focus, s3, lion, signum, muon (the default), and the group-reducing normalized_sgd, adasgd, adam_mini.", DefaultValueFactory = _ => "adamw,focus,s3,lion,signum,muon" };
        var threads = new Option<string?>("--threads") { Description = "Comma-separated thread counts (default: 1 and all cores)." };
        var cmd = new Command("optim", "Step time of adamw, focus, s3, lion and signum on 16M parameters (flat and 100 tensors), single- and multi-threaded; muon against adamw on the GPT's weight matrices.")
        {
            json, size, steps, optimizers, threads,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(size) < 1024) throw new ArgumentException("--params must be at least 1024.");
            if (r.GetValue(steps) < 1) throw new ArgumentException("--steps must be at least 1.");
            var ids = r.GetValue(optimizers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            int[]? tc = r.GetValue(threads)?.Split(',').Select(int.Parse).ToArray();
            var report = OptimBenchmark.Run(r.GetValue(size), r.GetValue(steps), tc, ids, msg => Console.Error.WriteLine($"  measuring {msg}"));
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(report)); return 0; }
            var table = new Table().AddColumns("optimizer", "layout", "threads", "median step (ms)", "params/s", "GB/s", "of copy");
            foreach (var x in report.Results)
                table.AddRow(x.Optimizer, x.Layout, x.Threads.ToString(), $"{x.MedianStepS * 1e3:F2}", $"{x.ParamsPerS:E2}", $"{x.Gbps:F1}", $"{x.FractionOfCopy:P0}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"copy bandwidth: {string.Join(", ", report.CopyGbpsByThreads.Select(kv => $"{kv.Key} thread(s) {kv.Value:F1} GB/s"))}");
            if (report.GptMatrices is { } gm)
            {
                var mt = new Table().AddColumns("optimizer", "matrix products", "threads", "median step (ms)", "× adamw");
                foreach (var x in gm.Results)
                    mt.AddRow(x.Optimizer, Markup.Escape(x.Products), x.Threads.ToString(), $"{x.MedianStepS * 1e3:F2}", $"{x.RatioToAdamw:F1}");
                AnsiConsole.MarkupLine($"GPT weight matrices ({gm.Shapes.Length} matrices, {gm.Parameters:N0} parameters):");
                AnsiConsole.Write(mt);
            }
            return 0;
        });
        return cmd;
    }
}
