using System.CommandLine;
using FocusLab.Bench;
using FocusLab.Engine.Models;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench hvp`: cost of an exact Hessian-vector product relative to a gradient on the GPT.</summary>
internal static class BenchHvpCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout." };
        var small = new Option<bool>("--small") { Description = "Use a small GPT (2 layers, 2 heads, 64 wide, block 32) instead of the issue's (4, 4, 128, 64)." };
        var model = new Option<string>("--model") { Description = "gpt (the issue's benchmark) or mlp (the FOCUS MLP, BatchNorm in training mode).", DefaultValueFactory = _ => "gpt" };
        var batch = new Option<int?>("--batch") { Description = "Sequences (gpt, default 16) or samples (mlp, default 128) per batch." };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (medians reported; gradient and HVP alternate).", DefaultValueFactory = _ => 7 };
        var cmd = new Command("hvp", "Median wall and CPU time of a float32 gradient and an exact float32 Hessian-vector product (forward-over-reverse) of the GPT (vocab 256) on a fixed batch; the finite-difference float64 product for reference.") { json, model, small, batch, repeats };
        cmd.SetAction(r =>
        {
            string m = r.GetValue(model)!.Trim().ToLowerInvariant();
            if (m is not ("gpt" or "mlp")) throw new ArgumentException($"Unknown --model '{m}': use gpt or mlp.");
            Console.Error.WriteLine($"  {Environment.ProcessorCount} cores");
            if (File.Exists("/proc/loadavg")) Console.Error.WriteLine($"  load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
            Action<string> log = msg => Console.Error.WriteLine($"  measuring {msg}");
            var result = m == "gpt"
                ? HvpBenchmark.Run(r.GetValue(small) ? HvpBenchmark.Small : HvpBenchmark.Default, r.GetValue(batch) ?? 16, r.GetValue(repeats), log)
                : HvpBenchmark.RunMlp(new MlpConfig(), r.GetValue(batch) ?? 128, r.GetValue(repeats), log);
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(result)); return 0; }
            Console.WriteLine($"{result.Model}, {result.Parameters} parameters, batch {result.Batch}×{result.Block}, GEMM {result.Backend}");
            Console.WriteLine($"  gradient (float32)             {result.GradS * 1e3,8:F1} ms wall  {result.GradCpuS * 1e3,8:F1} ms CPU");
            Console.WriteLine($"  exact HVP (float32)            {result.HvpS * 1e3,8:F1} ms wall  {result.HvpCpuS * 1e3,8:F1} ms CPU  = {result.Ratio:F2}× (CPU {result.CpuRatio:F2}×) a gradient");
            Console.WriteLine($"  finite-difference HVP (float64){result.FdHvpS * 1e3,8:F1} ms wall                = {result.FdRatio:F2}× a gradient");
            Console.WriteLine($"  float32 vs float64 exact HVP: relative error {result.Float32RelativeError:E1}");
            Console.WriteLine($"  load average {result.LoadAverageBefore:F2} before, {result.LoadAverageAfter:F2} after");
            return 0;
        });
        return cmd;
    }
}
