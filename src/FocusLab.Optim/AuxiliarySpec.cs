namespace FocusLab.Optim;

/// <summary>
/// The <c>aux=</c> part of a spec (<c>muon:lr=0.02,aux=adamw:lr=3e-4,weight_decay=0</c>): the auxiliary
/// optimizer's own spec, which has its own commas, so it must be the last setting and takes the
/// rest of the text.
/// </summary>
internal static class AuxiliarySpec
{
    private const string Key = Muon.AuxiliaryKey + "=";

    /// <summary>Splits off the auxiliary spec: (the spec without it, the auxiliary spec or null).</summary>
    public static (string Main, string? Auxiliary) Split(string spec)
    {
        int colon = spec.IndexOf(':');
        if (colon < 0) return (spec, null);
        for (int i = spec.IndexOf(Key, colon + 1, StringComparison.Ordinal); i >= 0; i = spec.IndexOf(Key, i + 1, StringComparison.Ordinal))
        {
            // A setting starts after the colon or a comma (spaces allowed).
            int before = i - 1;
            while (before > colon && char.IsWhiteSpace(spec[before])) before--;
            if (spec[before] is not (':' or ',')) continue;
            string aux = spec[(i + Key.Length)..].Trim();
            if (aux.Length == 0)
                throw new ArgumentException($"Optimizer spec '{spec}': aux= needs the auxiliary optimizer's spec, e.g. aux=adamw:lr=3e-4.", nameof(spec));
            return (spec[..before], aux);
        }
        return (spec, null);
    }
}
