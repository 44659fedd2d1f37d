using System.Globalization;

namespace FocusLab.Optim;

/// <summary>
/// Builds any optimizer from a spec string <c>id:name=value,name=value</c>, e.g.
/// <c>focus:lr=6e-4,beta1=0.9,beta2=0.99,gamma=0.2,weight_decay=0.2</c>. Names are the canonical
/// hyperparameter names of the golden vectors. <c>clip_fraction=k</c> on any id adds coordinate-wise
/// top-k clipping; <c>update_clip=c</c> adds update clipping (|Δθ| ≤ c·η); <c>update_clip_fraction=k</c> clips the top-k update coordinates; <c>cautious=true</c> adds the Cautious mask. <c>sgd_clip</c> and <c>adam_clip</c> are the
/// clipped optimizers of Pan &amp; Li (sgd_clip's momentum is an EMA from zero with β1).
/// <c>muon</c> takes <c>aux=ID:SETTINGS</c> as its last setting: the optimizer of its non-matrix tensors (<see cref="Muon"/>).
/// </summary>
public static class OptimizerFactory
{
    private delegate Optimizer Builder(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string> settings);

    private static readonly Dictionary<string, (Builder Build, IReadOnlyList<Hyperparameter> Schema)> Registry = new(StringComparer.Ordinal)
    {
        ["sgd"] = ((g, s) => new Sgd(g, s), Sgd.Defaults),
        ["adam"] = ((g, s) => new Adam(g, s, decoupled: false), Adam.DefaultsFor(false)),
        ["adamw"] = ((g, s) => new Adam(g, s, decoupled: true), Adam.DefaultsFor(true)),
        ["nadam"] = ((g, s) => new NAdam(g, s), NAdam.Defaults),
        ["rmsprop"] = ((g, s) => new RmsProp(g, s), RmsProp.Defaults),
        ["signum"] = ((g, s) => new Signum(g, s), Signum.Defaults),
        ["focus"] = ((g, s) => new Focus(g, s), Focus.Defaults),
        ["lion"] = ((g, s) => new Lion(g, s), Lion.Defaults),
        ["s3"] = ((g, s) => new SoftSignSgd(g, s), SoftSignSgd.Defaults),
        ["adafactor"] = ((g, s) => new Adafactor(g, s), Adafactor.Defaults),
        ["normalized_sgd"] = ((g, s) => new NormalizedSgd(g, s), NormalizedSgd.Defaults),
        ["adasgd"] = ((g, s) => new BlockwiseAdam(g, s, BlockPartition.PerGroup), BlockwiseAdam.Defaults),
        ["blockwise_adam"] = ((g, s) => new BlockwiseAdam(g, s, BlockPartition.PerTensor), BlockwiseAdam.Defaults),
        ["adan"] = ((g, s) => new Adan(g, s), Adan.Defaults),
        ["muon"] = ((g, s) => new Muon(g, s), Muon.Defaults),
        ["schedulefree_adamw"] = ((g, s) => new ScheduleFreeAdamW(g, s), ScheduleFreeAdamW.Defaults),
        ["sophia"] = ((g, s) => new Sophia(g, s), Sophia.Defaults),
        ["adam_mini"] = ((g, s) => new BlockwiseAdam(g, s, BlockPartition.AdamMini, "adam_mini"), BlockwiseAdam.AdamMiniDefaults),
    };

    /// <summary>Every optimizer id the factory builds (aliases included).</summary>
    public static IReadOnlyList<string> Ids => [.. Registry.Keys, "sgd_clip", "adam_clip"];

    /// <summary>The hyperparameters, defaults and valid ranges of an optimizer id.</summary>
    public static IReadOnlyList<Hyperparameter> SchemaOf(string id) =>
        Registry.TryGetValue(Canonical(id), out var r) ? r.Schema : throw UnknownId(id);

    /// <summary>Builds the optimizer of <paramref name="spec"/> over one group holding all <paramref name="parameters"/>.</summary>
    /// <param name="spec"><c>id:name=value,...</c>, e.g. <c>adamw:lr=1e-3,weight_decay=0.01</c>; unknown ids and invalid values throw naming the problem.</param>
    /// <param name="parameters">The parameters to optimize (unique names).</param>
    public static Optimizer Create(string spec, IEnumerable<Parameter> parameters) =>
        Create(spec, [new ParameterGroupSpec(parameters.ToArray())]);

    /// <summary>Builds the optimizer of <paramref name="spec"/> over parameter groups: the spec's values apply to every group, then each group's overrides (e.g. no weight decay on biases).</summary>
    /// <param name="spec"><c>id:name=value,...</c>; wrapper keys (<c>clip_fraction</c>, <c>update_clip</c>, <c>update_clip_fraction</c>, <c>cautious</c>) add the matching <see cref="IStepTransform"/>.</param>
    /// <param name="groups">The parameter groups, each with optional overrides (<c>clip_fraction</c> may differ per group).</param>
    public static Optimizer Create(string spec, IEnumerable<ParameterGroupSpec> groups)
    {
        var (id, settings) = Parse(spec);
        var groupList = groups.ToArray();

        // Wrapper-level settings are removed before the inner optimizer sees them.
        var clip = Take(settings, "clip_fraction");
        var updateClip = Take(settings, "update_clip");
        var cautious = Take(settings, "cautious");
        var updateClipFraction = Take(settings, "update_clip_fraction");
        var groupClip = groupList.Select(g => g.Overrides is { } o && o.TryGetValue("clip_fraction", out var v) ? v : null).ToArray();
        var innerGroups = groupList.Select(g => g.Overrides is null ? g
            : g with { Overrides = g.Overrides.Where(kv => kv.Key != "clip_fraction").ToDictionary(kv => kv.Key, kv => kv.Value) }).ToArray();

        switch (id)
        {
            case "sgd_clip":
                // Pan & Li's clipped SGD: m = β1 m + (1−β1) ĝ from m₀ = 0, coupled L2 after clipping.
                id = "sgd";
                if (Take(settings, "beta1") is { } b1) { settings["momentum"] = b1; settings["dampening"] = b1; }
                else { settings.TryAdd("momentum", "0.9"); settings.TryAdd("dampening", "0.9"); }
                settings["momentum_init"] = "zero";
                clip ??= "0.1";
                break;
            case "adam_clip":
                id = "adam";
                clip ??= "0.5";
                break;
        }

        if (id != "muon" && settings.ContainsKey(Muon.AuxiliaryKey))
            throw new ArgumentException($"{id}: aux= (an auxiliary optimizer for non-matrix tensors) is a muon setting; {id} steps every tensor itself.", nameof(spec));
        if (!Registry.TryGetValue(id, out var entry)) throw UnknownId(id);
        var optimizer = entry.Build(innerGroups, settings);
        if (clip is not null || groupClip.Any(c => c is not null))
        {
            optimizer.With(new CoordinateClipping(clip is null ? 0 : CoordinateClipping.Fraction.Parse(clip, id)));
            for (int i = 0; i < groupClip.Length; i++)
                if (groupClip[i] is { } c) optimizer.Groups[i].Set("clip_fraction", c);
        }
        if (updateClip is not null) optimizer.With(new UpdateClipping(UpdateClipping.Limit.Parse(updateClip, id)));
        if (cautious is not null && Hyperparameter.Flag("cautious", false).Parse(cautious, id) == 1) optimizer.With(new CautiousMask());
        if (updateClipFraction is not null) optimizer.With(new TopKUpdateClipping(TopKUpdateClipping.Fraction.Parse(updateClipFraction, id)));
        return optimizer;
    }

    /// <summary>
    /// Splits <c>id:name=value,...</c> into the id and its settings; refuses malformed text (an empty
    /// setting such as <c>focus:,</c>, an empty name or value, a name given twice). Names are
    /// case-insensitive like ids (<c>LR=1e-3</c> is <c>lr=1e-3</c>) and returned in lower case.
    /// </summary>
    public static (string Id, Dictionary<string, string> Settings) Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        string full = spec;
        (spec, string? auxiliary) = AuxiliarySpec.Split(spec);
        int colon = spec.IndexOf(':');
        string id = Canonical((colon < 0 ? spec : spec[..colon]).Trim());
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            string list = spec[(colon + 1)..];
            if (list.Trim().Length == 0)
                throw new ArgumentException($"Optimizer spec '{spec}' has nothing after ':'; write '{spec[..colon].Trim()}' alone or name=value settings (e.g. {spec[..colon].Trim()}:lr=1e-3).", nameof(spec));
            foreach (var part in list.Split(',', StringSplitOptions.TrimEntries))
            {
                // An empty part ("focus:,", "focus:lr=1e-3,,beta2=0.99") is a typo, never "use the defaults".
                if (part.Length == 0)
                    throw new ArgumentException($"Optimizer spec '{spec}' has an empty setting between commas; write name=value settings separated by single commas (e.g. {id}:lr=1e-3,weight_decay=0.1).", nameof(spec));
                int eq = part.IndexOf('=');
                if (eq < 0 || eq == 0 || eq == part.Length - 1)
                {
                    string what = eq < 0 ? "has no '='" : eq == 0 ? "has an empty name" : "has an empty value";
                    throw new ArgumentException($"Optimizer spec '{spec}': '{part}' {what}; each setting is of the form name=value (e.g. lr=1e-3).", nameof(spec));
                }
                string name = part[..eq].Trim().ToLowerInvariant();
                string value = part[(eq + 1)..].Trim();
                if (name.Length == 0 || value.Length == 0)
                    throw new ArgumentException($"Optimizer spec '{spec}': '{part}' has an empty {(name.Length == 0 ? "name" : "value")}; each setting is of the form name=value (e.g. lr=1e-3).", nameof(spec));
                if (!settings.TryAdd(name, value))
                    throw new ArgumentException($"Optimizer spec '{spec}': {name} is given twice.", nameof(spec));
            }
        }
        if (!Registry.ContainsKey(id) && id is not ("sgd_clip" or "adam_clip")) throw UnknownId(id);
        if (auxiliary is not null && !settings.TryAdd(Muon.AuxiliaryKey, auxiliary))
            throw new ArgumentException($"Optimizer spec '{full}': aux is given twice.", nameof(spec));
        return (id, settings);
    }

    /// <summary>
    /// Every difference in value between two specs, e.g. <c>lr 0.001 → 0.002</c>; empty when they build
    /// the same optimizer. Values are compared as numbers (<c>lr=1e-3</c> equals <c>lr=0.001</c>) and a
    /// setting left out counts as its default (<c>focus</c> equals <c>focus:gamma=0.1</c>). Used to
    /// check that a resumed run continues with the settings it was started with.
    /// </summary>
    public static IReadOnlyList<string> Differences(string before, string after)
    {
        var (idA, a) = Parse(before);
        var (idB, b) = Parse(after);
        if (idA != idB) return [$"optimizer {idA} → {idB}"];
        var schema = SchemaOf(idA switch { "sgd_clip" => "sgd", "adam_clip" => "adam", _ => idA })
            .Concat([CoordinateClipping.Fraction, UpdateClipping.Limit, TopKUpdateClipping.Fraction, Hyperparameter.Flag("cautious", false)])
            .GroupBy(h => h.Name).ToDictionary(g => g.Key, g => g.First());
        var differences = new List<string>();
        foreach (string name in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            a.TryGetValue(name, out var textA);
            b.TryGetValue(name, out var textB);
            if (schema.TryGetValue(name, out var h))
            {
                // A wrapper setting (update_clip…) left out means the wrapper is off, which no value equals.
                bool wrapperOnly = name is "update_clip" or "update_clip_fraction" || (name == "clip_fraction" && idA is "sgd_clip" or "adam_clip");
                double? va = textA is null ? (wrapperOnly ? null : h.Default) : h.Parse(textA, idA);
                double? vb = textB is null ? (wrapperOnly ? null : h.Default) : h.Parse(textB, idB);
                if (va != vb) differences.Add($"{name} {(va is { } x ? h.Format(x) : "(not set)")} → {(vb is { } y ? h.Format(y) : "(not set)")}");
            }
            else if (!SameNumberOrText(textA, textB))
                differences.Add($"{name} {textA ?? "(not set)"} → {textB ?? "(not set)"}");
        }
        return differences;
    }

    private static bool SameNumberOrText(string? a, string? b) =>
        a is not null && b is not null
        && double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
        && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out double y)
            ? x.Equals(y)
            : string.Equals(a, b, StringComparison.Ordinal);

    /// <summary>The spec string that rebuilds an optimizer's first group (useful in logs).</summary>
    public static string Describe(Optimizer o) =>
        o.Id + ":" + string.Join(",", o.Groups[0].Names.Select(n => n + "=" + o.Groups[0].GetText(n)));

    private static string Canonical(string id) => id.ToLowerInvariant().Replace('-', '_') switch
    {
        "softsignsgd" => "s3",
        "nsgd" => "normalized_sgd",
        var x => x,
    };

    private static string? Take(Dictionary<string, string> d, string key) => d.Remove(key, out var v) ? v : null;

    private static ArgumentException UnknownId(string id) =>
        new($"Unknown optimizer '{id}'. Known: {string.Join(", ", Ids)}.", "spec");
}
