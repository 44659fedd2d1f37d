using System.CommandLine;
using FocusLab.Cli.Commands;

// The `focuslab` command: one subcommand per experiment or tool; each lives in Commands/.
var root = new RootCommand("FocusLab: sign-based and adaptive optimizers, and the measurements that explain them.");
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(PhaseCommand.Create());
root.Subcommands.Add(ValleyCommand.Create());
return root.Parse(args).Invoke();
