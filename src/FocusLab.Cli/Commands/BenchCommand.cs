using System.CommandLine;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab bench ...`: benchmarks that print JSON so their numbers can be tracked.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks (run in Release) that print JSON.");
        bench.Subcommands.Add(BenchOptimCommand.Create());
        bench.Subcommands.Add(SweepBenchCommand.Create());
        bench.Subcommands.Add(BenchGemmCommand.Create());
        bench.Subcommands.Add(BenchTrainCommand.Create());
        bench.Subcommands.Add(BenchHvpCommand.Create());
        return bench;
    }
}
