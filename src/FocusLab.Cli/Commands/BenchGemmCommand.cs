using System.CommandLine;
using FocusLab.Bench;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench gemm`: GFLOP/s of the float32 GEMM back ends on 1024³ and 512×2048×512.</summary>
internal static class BenchGemmCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout." };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per case (median reported).", DefaultValueFactory = _ => 1.5 };
        var cmd = new Command("gemm", "GFLOP/s of OpenBLAS (when libopenblas0 is installed) and the managed AVX2/FMA kernel.") { json, seconds };
        cmd.SetAction(r =>
        {
            if (r.GetValue(seconds) <= 0) throw new ArgumentException("--seconds must be positive.");
            Console.Error.WriteLine($"  active GEMM back end: {FocusLab.Engine.Kernels.Gemm.Gemm.BackendName} (FOCUSLAB_GEMM=managed|openblas forces one); {Environment.ProcessorCount} cores");
            // Shared machines: the load average says how much the numbers below were disturbed.
            if (File.Exists("/proc/loadavg")) Console.Error.WriteLine($"  load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
            var report = GemmBenchmark.Run(r.GetValue(seconds));
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(report)); return 0; }
            var table = new Table().AddColumns("backend", "m", "n", "k", "GFLOP/s");
            foreach (var x in report.Results) table.AddRow(x.Backend, x.M.ToString(), x.N.ToString(), x.K.ToString(), $"{x.Gflops:F1}");
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
