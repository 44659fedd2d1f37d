using System.CommandLine;
using FocusLab.Optim;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab optimizers [ID]`: every optimizer id with its hyperparameters, defaults and valid ranges.</summary>
internal static class OptimizersCommand
{
    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "Show one optimizer (e.g. focus).", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("optimizers", "List the optimizers, their hyperparameters, defaults and valid ranges.") { id, json };
        cmd.SetAction(r =>
        {
            var ids = r.GetValue(id) is { } one ? [one] : OptimizerFactory.Ids.Where(i => i is not ("sgd_clip" or "adam_clip")).ToArray();
            var rows = ids.Select(i => new
            {
                id = i,
                hyperparameters = OptimizerFactory.SchemaOf(i).Select(h => new { name = h.Name, @default = h.Format(h.Default), range = h.RangeText, description = h.Description }).ToArray(),
            }).ToArray();
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(rows)); return 0; }
            var table = new Table().AddColumns("id", "hyperparameter", "default", "valid", "meaning");
            foreach (var o in rows)
                foreach (var h in o.hyperparameters)
                    table.AddRow(Markup.Escape(o.id), h.name, Markup.Escape(h.@default), Markup.Escape(h.range), Markup.Escape(h.description));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("Any id also takes [bold]clip_fraction[/]=k (coordinate-wise top-k clipping), [bold]update_clip[/]=c and [bold]cautious[/]=true. Aliases: sgd_clip, adam_clip.");
            AnsiConsole.MarkupLine("[bold]muon[/] steps matrices only and takes [bold]aux[/]=ID:SETTINGS as its last setting for every other tensor (train also gives it embeddings and the output head), e.g. muon:lr=0.02,aux=adamw:lr=3e-4.");
            return 0;
        });
        return cmd;
    }
}
