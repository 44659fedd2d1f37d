using FocusLab.Lab.Reports;
using Spectre.Console;

namespace FocusLab.Cli;

/// <summary>How a command prints its study's verdicts on the papers' claims.</summary>
internal static class ClaimLines
{
    /// <summary>Coloured lines on the console, or plain indented lines on stderr when stdout must stay one
    /// JSON document (<paramref name="toStderr"/>).</summary>
    public static void Write(IEnumerable<PaperClaim> claims, bool toStderr)
    {
        foreach (var c in claims)
        {
            if (toStderr) Console.Error.WriteLine($"  {c}");
            else if (c.Outcome == ClaimOutcome.NotTestableAtThisScale)
                AnsiConsole.MarkupLine($"[yellow]not testable at this scale[/] ({Markup.Escape(c.Reason ?? "")}): {Markup.Escape(c.Claim)} — {Markup.Escape(c.Evidence)}");
            else AnsiConsole.MarkupLine($"{(c.Holds ? "[green]agrees[/]" : "[red]disagrees[/]")} with the paper: {Markup.Escape(c.Claim)} — {Markup.Escape(c.Evidence)}");
        }
    }
}
