using System.Net;
using System.Text;
using System.Text.Json;

namespace FocusLab.Lab.Claims;

/// <summary>A ledger row: one claim and the study folder it came from.</summary>
public sealed record LedgerRow(string Study, string Folder, ClaimRecord Claim);

/// <summary>
/// The claims ledger (<c>focuslab claims</c>): every claim found in the study outputs under a folder, as a
/// markdown table generated from the data, never typed. A folder with <c>claims.json</c>
/// (<see cref="ClaimFile"/>, written by batch-sweep, lm-race and lm-noise) contributes its records;
/// a folder without one contributes the <c>claims</c> arrays of its other JSON outputs (the
/// <see cref="Reports.PaperClaim"/> lists of the sharpness and rotation studies), mapped onto the same
/// columns with what those files say (verdict from <c>outcome_text</c> or <c>holds</c>, deviations from
/// <c>protocol_differences</c>, numbers from <c>evidence</c>).
/// </summary>
public static class ClaimsLedger
{
    /// <summary>All claims under <paramref name="root"/>, ordered by paper, claim id and folder.</summary>
    public static List<LedgerRow> Collect(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"'{root}' does not exist; run a study first (e.g. `./focuslab batch-sweep --out runs/batch-sweep`), or pass --runs DIR.");
        var rows = new List<LedgerRow>();
        var folders = new[] { root }.Concat(Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            .Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal);
        foreach (var dir in folders)
        {
            string rel = Path.GetRelativePath(Path.GetFullPath(root), dir);
            string file = Path.Combine(dir, ClaimFile.FileName);
            if (File.Exists(file))
            {
                var (study, claims) = ClaimFile.Read(file);
                rows.AddRange(claims.Select(c => new LedgerRow(study, rel, c)));
                continue;
            }
            foreach (var json in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
                rows.AddRange(Legacy(json, rel));
        }
        return rows.OrderBy(r => r.Claim.Paper, StringComparer.Ordinal).ThenBy(r => r.Claim.Id, StringComparer.Ordinal).ThenBy(r => r.Folder, StringComparer.Ordinal).ToList();
    }

    /// <summary>The <c>claims</c> array of a study JSON that predates <see cref="ClaimFile"/>; none when the file has no such array.</summary>
    private static IEnumerable<LedgerRow> Legacy(string path, string folder)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException) { yield break; }
        using (doc)
        {
            var top = doc.RootElement;
            if (top.ValueKind != JsonValueKind.Object || !top.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array) yield break;
            string study = Text(top, "study") ?? Path.GetFileNameWithoutExtension(path);
            string command = Text(top, "command") ?? ReadCommand(Path.GetDirectoryName(path)!) ?? "";
            string settings = top.TryGetProperty("settings", out var s) ? s.GetRawText() : "";
            int seeds = top.TryGetProperty("settings", out var st) && st.ValueKind == JsonValueKind.Object && st.TryGetProperty("seeds", out var sd) && sd.ValueKind == JsonValueKind.Number ? sd.GetInt32() : 0;
            int k = 0;
            foreach (var c in claims.EnumerateArray())
            {
                k++;
                if (c.ValueKind != JsonValueKind.Object || Text(c, "claim") is not { } claim) continue;
                string verdict = Text(c, "outcome_text") is { } o && ClaimVerdict.IsValid(o) ? o
                    : c.TryGetProperty("holds", out var h) && h.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? (h.GetBoolean() ? ClaimVerdict.Reproduced : ClaimVerdict.NotReproduced)
                        : ClaimVerdict.NotTestable;
                string[] deviations = c.TryGetProperty("protocol_differences", out var d) && d.ValueKind == JsonValueKind.Array
                    ? d.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
                string evidence = Text(c, "evidence") ?? "";
                yield return new LedgerRow(study, folder, new ClaimRecord($"{study}.{k}", Text(c, "paper") ?? Text(top, "paper") ?? "",
                    claim, "", settings.Length > 300 ? $"settings in {Path.GetFileName(path)}" : settings, deviations, command, evidence, seeds, verdict,
                    Text(c, "reason") ?? evidence));
            }
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? ReadCommand(string dir) =>
        File.Exists(Path.Combine(dir, "command.txt")) ? File.ReadAllText(Path.Combine(dir, "command.txt")).Trim() : null;

    /// <summary>The ledger as markdown: a count of verdicts, then one table row per claim.</summary>
    public static string Markdown(IReadOnlyList<LedgerRow> rows, string command)
    {
        var sb = new StringBuilder("# Claims ledger\n\n");
        sb.Append($"Generated by `{command}` from the study outputs; do not edit by hand (rerun the command).\n\n");
        if (rows.Count == 0) return sb.Append("No study outputs with claims were found.\n").ToString();
        sb.Append(string.Join(", ", rows.GroupBy(r => r.Claim.Verdict).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}")))
          .Append($" ({rows.Count} claims from {rows.Select(r => r.Folder).Distinct().Count()} study folders).\n\n");
        sb.Append("| claim | paper's protocol | FocusLab's protocol and deviations | command | numbers | verdict |\n|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            var c = r.Claim;
            string deviations = c.Deviations is { Length: > 0 } ? "<br>deviations: " + string.Join("; ", c.Deviations) : "";
            string seeds = c.Seeds > 0 ? $" ({c.Seeds} seeds)" : "";
            sb.Append("| ").Append(Cell($"{c.Claim} ({c.Paper})"))
              .Append(" | ").Append(Cell(c.PaperProtocol))
              .Append(" | ").Append(Cell(c.Protocol) + deviations.Replace("|", "\\|"))
              .Append(" | ").Append(c.Command.Length > 0 ? "`" + c.Command.Replace("|", "\\|").Replace("`", "'") + "`" : "")
              .Append(" | ").Append(Cell(c.Numbers + seeds))
              .Append(" | **").Append(Cell(c.Verdict)).Append("**: ").Append(Cell(c.Reason))
              .Append(" |\n");
        }
        return sb.ToString();
    }

    /// <summary>The ledger as an HTML section (for <c>focuslab report</c>).</summary>
    public static string Html(IReadOnlyList<LedgerRow> rows)
    {
        var sb = new StringBuilder("<section id=\"claims\"><h2>Claims ledger</h2>\n");
        if (rows.Count == 0) return sb.Append("<p>No study outputs with claims were found.</p></section>\n").ToString();
        sb.Append("<table><tr><th>claim</th><th>FocusLab's protocol and deviations</th><th>numbers</th><th>verdict</th></tr>\n");
        foreach (var r in rows)
        {
            var c = r.Claim;
            sb.Append("<tr><td>").Append(E($"{c.Claim} ({c.Paper})")).Append("</td><td>").Append(E(c.Protocol));
            if (c.Deviations is { Length: > 0 }) sb.Append("<br><i>deviations:</i> ").Append(E(string.Join("; ", c.Deviations)));
            sb.Append("</td><td>").Append(E(c.Numbers)).Append(c.Seeds > 0 ? $" ({c.Seeds} seeds)" : "")
              .Append("</td><td><b>").Append(E(c.Verdict)).Append("</b>: ").Append(E(c.Reason)).Append("</td></tr>\n");
        }
        return sb.Append("</table></section>\n").ToString();
    }

    private static string Cell(string s) => s.Replace("\r", "").Replace("\n", " ").Replace("|", "\\|");

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
