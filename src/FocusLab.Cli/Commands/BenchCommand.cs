using System.CommandLine;
using FocusLab.Bench;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench ...`: benchmarks that print JSON so their numbers can be tracked.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks (run in Release) that print JSON.");
        bench.Subcommands.Add(Simple("gemm", "GFLOP/s of the float32 GEMM back ends (OpenBLAS if installed, managed AVX2).", () => GemmBenchmark.ToJson(GemmBenchmark.Run())));
        return bench;
    }

    /// <summary>A benchmark subcommand whose result is JSON (printed with or without --json).</summary>
    private static Command Simple(string name, string description, Func<string> run)
    {
        var json = new Option<bool>("--json") { Description = "Print the results as JSON (the default output is also JSON)." };
        var command = new Command(name, description) { json };
        command.SetAction(_ => Console.WriteLine(run()));
        return command;
    }
}
