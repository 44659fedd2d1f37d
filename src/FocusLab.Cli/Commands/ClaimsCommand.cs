using System.CommandLine;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Reports;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab claims`: the claims ledger — every paper claim in the study outputs under --runs, as a markdown table.</summary>
internal static class ClaimsCommand
{
    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "Folder holding study outputs (searched recursively for claims.json and the studies' JSON claims).", DefaultValueFactory = _ => "runs" };
        var output = new Option<string?>("--out") { Description = "Markdown file to write (default: print to stdout), e.g. docs/claims.md." };
        var cmd = new Command("claims", "The claims ledger: every claim the studies tested, with protocols, deviations, command, numbers and verdict, generated from their outputs.") { runs, output };
        cmd.SetAction(r =>
        {
            string root = r.GetValue(runs)!;
            var rows = ClaimsLedger.Collect(root);
            string command = "focuslab " + string.Join(' ', r.Tokens.Select(t => t.Value));
            string md = ClaimsLedger.Markdown(rows, command);
            if (r.GetValue(output) is { } path)
            {
                AtomicFile.WriteText(path, md);
                Console.WriteLine($"wrote {path}: {rows.Count} claims ({string.Join(", ", rows.GroupBy(x => x.Claim.Verdict).Select(g => $"{g.Key} {g.Count()}"))})");
            }
            else Console.Write(md);
            return 0;
        });
        return cmd;
    }
}
