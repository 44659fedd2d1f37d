using System.Net;

namespace FocusLab.Lab.Reports;

/// <summary>A statement of a paper checked against a run's numbers, with the evidence either way.</summary>
public sealed record PaperClaim(string Claim, bool Holds, string Evidence)
{
    /// <summary>"agrees" or "disagrees" (with the paper).</summary>
    public string Verdict => Holds ? "agrees" : "disagrees";

    /// <summary>One plain-text line: "agrees with the paper: CLAIM — EVIDENCE".</summary>
    public override string ToString() => $"{Verdict} with the paper: {Claim} — {Evidence}";

    /// <summary>The claims as an HTML list (a study page's "Claims" section).</summary>
    public static string HtmlList(IEnumerable<PaperClaim> claims) =>
        "<h2>Claims</h2><ul>\n" + string.Concat(claims.Select(c =>
            $"<li><b>{c.Verdict}</b>: {WebUtility.HtmlEncode(c.Claim)} — {WebUtility.HtmlEncode(c.Evidence)}</li>\n")) + "</ul>\n";
}
