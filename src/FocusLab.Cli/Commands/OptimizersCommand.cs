using System.CommandLine;
using FocusLab.Cli.Terminal;
using FocusLab.Optim;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab optimizers [ID]`: every optimizer id with its hyperparameters, defaults and valid ranges.</summary>
internal static class OptimizersCommand
{
    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "Show one optimizer (e.g. focus).", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var format = Tabular.FormatOption();
        var cmd = new Command("optimizers", "List the optimizers, their hyperparameters, defaults and valid ranges.") { id, json, format };
        cmd.SetAction(r =>
        {
            var ids = r.GetValue(id) is { } one ? [one] : OptimizerFactory.Ids.Where(i => i is not ("sgd_clip" or "adam_clip")).ToArray();
            var rows = ids.Select(i => new
            {
                id = i,
                hyperparameters = OptimizerFactory.SchemaOf(i).Select(h => new { name = h.Name, @default = h.Format(h.Default), range = h.RangeText, description = h.Description }).ToArray(),
            }).ToArray();
            if (r.GetValue(json)) { Console.WriteLine(Json.Serialize(rows)); return 0; }
            var tableFormat = Tabular.Parse(r.GetValue(format));
            Tabular.Write(tableFormat, ["id", "hyperparameter", "default", "valid", "meaning"],
                rows.SelectMany(o => o.hyperparameters.Select(h => (IReadOnlyList<string>)[o.id, h.name, h.@default, h.range, h.description])));
            if (tableFormat == TableFormat.Table)
                Console.WriteLine("Any id also takes clip_fraction=k (coordinate-wise top-k clipping), update_clip=c, update_clip_fraction=k and cautious=true. Aliases: sgd_clip, adam_clip. Names are case-insensitive.");
            if (tableFormat == TableFormat.Table)
                Console.WriteLine("muon steps matrices only and takes aux=ID:SETTINGS as its last setting for every other tensor (train also gives it embeddings and the output head), e.g. muon:lr=0.02,aux=adamw:lr=3e-4.");
            return 0;
        });
        return cmd;
    }
}
