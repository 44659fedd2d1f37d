using System.CommandLine;
using System.CommandLine.Help;
using FocusLab.Cli.Commands;
using FocusLab.Cli.Conventions;

// The `focuslab` command: one subcommand per experiment or tool; each lives in Commands/.
var root = new RootCommand("FocusLab: sign-based and adaptive optimizers, and the measurements that explain them.");
var verbose = new Option<bool>("--verbose") { Description = "On failure, print the stack trace after the one-line message.", Recursive = true };
root.Options.Add(verbose);
root.Subcommands.Add(PhaseCommand.Create());
root.Subcommands.Add(ValleyCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(BatchSweepCommand.Create());
root.Subcommands.Add(LmRaceCommand.Create());
root.Subcommands.Add(LmNoiseCommand.Create());
root.Subcommands.Add(SharpnessCommand.Create());
root.Subcommands.Add(RotationCommand.Create());
root.Subcommands.Add(GeometryStudyCommand.Create());
root.Subcommands.Add(GeometryCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(ClaimsCommand.Create());
root.Subcommands.Add(OptimizersCommand.Create());
root.Subcommands.Add(BenchCommand.Create());

if (args.Length == 0) args = ["--help"];
var parse = root.Parse(args);
// Parse errors are one line each plus a pointer to --help (not the whole help text), exit code 2.
if (parse.Errors.Count > 0 && parse.Action is not HelpAction) return Failure.ReportParseErrors(parse);

Interrupt.Install();
try
{
    // The interrupt handler is ours (Interrupt), so the parser's own Ctrl-C handling is off.
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (OperationCanceledException) when (Interrupt.Requested)
{
    Console.Error.WriteLine($"focuslab: interrupted; this command keeps no partial results, so nothing was saved. Run it again with: {Interrupt.ResumeCommand()}");
    return Interrupt.ExitCode;
}
catch (Exception e)
{
    return Failure.Report(e, parse.GetValue(verbose));
}
