using System.CommandLine;
using FocusLab.Cli.Commands;

// The `focuslab` command: one subcommand per experiment or tool; each lives in Commands/.
var root = new RootCommand("FocusLab: sign-based and adaptive optimizers, and the measurements that explain them.");
root.Subcommands.Add(PhaseCommand.Create());
root.Subcommands.Add(ValleyCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(BatchSweepCommand.Create());
root.Subcommands.Add(LmRaceCommand.Create());
root.Subcommands.Add(LmNoiseCommand.Create());
root.Subcommands.Add(SharpnessCommand.Create());
root.Subcommands.Add(RotationCommand.Create());
root.Subcommands.Add(GeometryCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(ClaimsCommand.Create());
root.Subcommands.Add(OptimizersCommand.Create());
root.Subcommands.Add(BenchCommand.Create());

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException or FormatException or IOException)
{
    // Bad input is reported as one clear line (the messages name the problem and the fix), not a stack trace.
    string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
    Console.Error.WriteLine($"focuslab: error: {message}");
    return 2;
}
