using System.CommandLine;
using FocusLab.Bench;
using FocusLab.Engine.Models;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench hvp`: cost of a Hessian-vector product relative to a gradient on the GPT.</summary>
internal static class BenchHvpCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout." };
        var small = new Option<bool>("--small") { Description = "Use a small GPT (2 layers, 2 heads, 64 wide, block 32) instead of the issue's (4, 4, 128, 64)." };
        var batch = new Option<int>("--batch") { Description = "Sequences per batch.", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (median reported).", DefaultValueFactory = _ => 5 };
        var cmd = new Command("hvp", "Median time of a float32 gradient, a float64 gradient and a Hessian-vector product of the GPT (vocab 256) on a fixed batch.") { json, small, batch, repeats };
        cmd.SetAction(r =>
        {
            GptConfig config = r.GetValue(small) ? HvpBenchmark.Small : HvpBenchmark.Default;
            Console.Error.WriteLine($"  {Environment.ProcessorCount} cores");
            if (File.Exists("/proc/loadavg")) Console.Error.WriteLine($"  load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
            var result = HvpBenchmark.Run(config, r.GetValue(batch), r.GetValue(repeats), msg => Console.Error.WriteLine($"  measuring {msg}"));
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(result)); return 0; }
            Console.WriteLine($"{result.Model}, {result.Parameters} parameters, batch {result.Batch}×{result.Block}");
            Console.WriteLine($"  gradient (float32)  {result.GradS * 1e3:F1} ms");
            Console.WriteLine($"  gradient (float64)  {result.GradF64S * 1e3:F1} ms");
            Console.WriteLine($"  Hessian-vector      {result.HvpS * 1e3:F1} ms  = {result.Ratio:F2}× the float32 gradient, {result.RatioF64:F2}× the float64 gradient");
            return 0;
        });
        return cmd;
    }
}
