using FocusLab.Lab.Reports;
using Spectre.Console;

namespace FocusLab.Cli;

/// <summary>How a command prints its study's verdicts on the papers' claims.</summary>
internal static class ClaimLines
{
    /// <summary>Coloured lines on the console, plain lines when stdout is a pipe or a file, or plain indented
    /// lines on stderr when stdout must stay one JSON document (<paramref name="toStderr"/>).</summary>
    public static void Write(IEnumerable<PaperClaim> claims, bool toStderr)
    {
        foreach (var c in claims)
        {
            if (toStderr) Console.Error.WriteLine($"  {c}");
            // In a pipe or a file, one unwrapped line per claim (Spectre would wrap at 80 columns, inside numbers).
            else if (Console.IsOutputRedirected)
                Console.WriteLine($"{c.OutcomeText}{(c.Outcome == ClaimOutcome.NotTestableAtThisScale ? $" ({c.Reason})" : "")}: {c.Claim} — {c.Evidence}");
            else if (c.Outcome == ClaimOutcome.NotTestableAtThisScale)
                AnsiConsole.MarkupLine($"[yellow]not testable at this scale[/] ({Markup.Escape(c.Reason ?? "")}): {Markup.Escape(c.Claim)} — {Markup.Escape(c.Evidence)}");
            else AnsiConsole.MarkupLine($"{(c.Holds ? "[green]agrees[/]" : "[red]disagrees[/]")} with the paper: {Markup.Escape(c.Claim)} — {Markup.Escape(c.Evidence)}");
        }
    }
}
