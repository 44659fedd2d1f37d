using System.Net;
using System.Text.Json.Serialization;

namespace FocusLab.Lab.Reports;

/// <summary>A study's verdict on a paper's claim, as the claims ledger reports it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClaimOutcome>))]
public enum ClaimOutcome
{
    /// <summary>The run's numbers show what the paper claims.</summary>
    Reproduced,
    /// <summary>The run's numbers contradict the claim (or do not show it beyond their spread).</summary>
    NotReproduced,
    /// <summary>The run cannot decide at this scale (e.g. the optimum sits at the edge of the grid, or the measurement was truncated).</summary>
    NotTestableAtThisScale,
}

/// <summary>
/// A statement of a paper checked against a run's numbers, with the evidence either way. <see cref="Outcome"/> is
/// the ledger's verdict (by default reproduced when <see cref="Holds"/>, else not reproduced; a study sets
/// not testable at this scale with its <see cref="Reason"/>); <see cref="ProtocolDifferences"/> lists how the
/// run's protocol differs from the paper's.
/// </summary>
public sealed record PaperClaim(string Claim, bool Holds, string Evidence)
{
    private readonly ClaimOutcome? _outcome;

    /// <summary>"agrees" or "disagrees" (with the paper).</summary>
    public string Verdict => Holds ? "agrees" : "disagrees";

    /// <summary>The ledger's verdict.</summary>
    public ClaimOutcome Outcome { get => _outcome ?? (Holds ? ClaimOutcome.Reproduced : ClaimOutcome.NotReproduced); init => _outcome = value; }

    /// <summary>"reproduced", "not reproduced" or "not testable at this scale".</summary>
    public string OutcomeText => Outcome switch
    {
        ClaimOutcome.Reproduced => "reproduced",
        ClaimOutcome.NotReproduced => "not reproduced",
        _ => "not testable at this scale",
    };

    /// <summary>The paper the claim comes from (short citation).</summary>
    public string Paper { get; init; } = "";

    /// <summary>Why the claim is not testable here (with <see cref="ClaimOutcome.NotTestableAtThisScale"/>).</summary>
    public string? Reason { get; init; }

    /// <summary>Each way this run's protocol differs from the paper's.</summary>
    public string[] ProtocolDifferences { get; init; } = [];

    /// <summary>One plain-text line: "agrees with the paper: CLAIM — EVIDENCE" (with the ledger verdict when it is not testable).</summary>
    public override string ToString() => $"{Verdict} with the paper: {Claim} — {Evidence}" + (Outcome == ClaimOutcome.NotTestableAtThisScale ? $" [not testable at this scale: {Reason}]" : "");

    /// <summary>The claims as an HTML list (a study page's "Claims" section).</summary>
    public static string HtmlList(IEnumerable<PaperClaim> claims) =>
        "<h2>Claims</h2><ul>\n" + string.Concat(claims.Select(c =>
            $"<li><b>{c.Verdict}</b>: {WebUtility.HtmlEncode(c.Claim)} — {WebUtility.HtmlEncode(c.Evidence)}" +
            (c.Outcome == ClaimOutcome.NotTestableAtThisScale ? $" <b>(not testable at this scale: {WebUtility.HtmlEncode(c.Reason ?? "")})</b>" : "") +
            (c.ProtocolDifferences.Length > 0 ? "<br><small>protocol differences: " + WebUtility.HtmlEncode(string.Join("; ", c.ProtocolDifferences)) + "</small>" : "") +
            "</li>\n")) + "</ul>\n";
}
