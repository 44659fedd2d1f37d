using System.Text.Json;
using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Claims;

/// <summary>The three verdicts of the claims ledger.</summary>
internal static class ClaimVerdict
{
    public const string Reproduced = "reproduced";
    public const string NotReproduced = "not reproduced";
    public const string NotTestable = "not testable at this scale";

    public static bool IsValid(string verdict) => verdict is Reproduced or NotReproduced or NotTestable;
}

/// <summary>
/// One paper claim tested by one study, as every study writes it into <c>claims.json</c> of its output
/// folder (<see cref="ClaimFile"/>) and the ledger (<c>focuslab claims</c>) gathers it: the claim, the
/// paper's protocol, FocusLab's protocol and every deviation from the paper's, the command that made the
/// numbers, the numbers themselves (mean ± spread over <see cref="Seeds"/> seeds or replicates), and a
/// verdict (<see cref="ClaimVerdict"/>) with its reason.
/// </summary>
public sealed record ClaimRecord(
    string Id,
    string Paper,
    string Claim,
    string PaperProtocol,
    string Protocol,
    string[] Deviations,
    string Command,
    string Numbers,
    int Seeds,
    string Verdict,
    string Reason)
{
    /// <summary>A claim with a verdict outside <see cref="ClaimVerdict"/> or without its text is a bug in the study that wrote it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id) || string.IsNullOrWhiteSpace(Claim)) throw new InvalidDataException("A claim needs an id and its text.");
        if (!ClaimVerdict.IsValid(Verdict)) throw new InvalidDataException($"Claim {Id}: verdict '{Verdict}' is not one of '{ClaimVerdict.Reproduced}', '{ClaimVerdict.NotReproduced}', '{ClaimVerdict.NotTestable}'.");
    }
}

/// <summary><c>claims.json</c>: the claims of one study output folder, written atomically.</summary>
public static class ClaimFile
{
    public const string FileName = "claims.json";

    private sealed record Document(string Study, ClaimRecord[] Claims);

    public static void Write(string outDir, string study, IEnumerable<ClaimRecord> claims)
    {
        var list = claims.ToArray();
        foreach (var c in list) c.Validate();
        AtomicFile.WriteText(Path.Combine(outDir, FileName), JsonSerializer.Serialize(new Document(study, list), StudyOutput.Json));
    }

    /// <summary>The study name and claims of one file; a damaged file is named with what is wrong.</summary>
    public static (string Study, ClaimRecord[] Claims) Read(string path)
    {
        Document? doc;
        try { doc = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), StudyOutput.Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a claims file ({e.Message}); rerun the study that wrote it."); }
        if (doc?.Claims is null) throw new InvalidDataException($"{path} holds no claims array; rerun the study that wrote it.");
        foreach (var c in doc.Claims)
        {
            try { c.Validate(); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
        }
        return (doc.Study ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "", doc.Claims);
    }
}

/// <summary>Number formats shared by the studies' claims and tables.</summary>
public static class ClaimFormat
{
    /// <summary>A signed number with <paramref name="decimals"/> decimals ("+0.012", "−0.003" as "-0.003"); a value that rounds to zero prints "0.000", never "-0.000".</summary>
    public static string Signed(double x, int decimals = 3)
    {
        string digits = "0." + new string('0', decimals);
        double r = Math.Round(x, decimals) + 0.0; // + 0.0 turns −0 into +0
        return r.ToString($"+{digits};-{digits};{digits}", System.Globalization.CultureInfo.InvariantCulture);
    }
}
