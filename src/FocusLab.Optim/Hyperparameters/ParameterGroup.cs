namespace FocusLab.Optim;

/// <summary>
/// Parameters that share hyperparameters (torch.optim's param_groups). Any hyperparameter may be
/// changed between steps (e.g. <see cref="Lr"/> by a schedule); values are validated on every set.
/// </summary>
public sealed class ParameterGroup
{
    private readonly Dictionary<string, Hyperparameter> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
    private readonly string _optimizerId;

    internal ParameterGroup(int index, IReadOnlyList<Parameter> parameters, string optimizerId)
    {
        Index = index;
        Parameters = parameters;
        _optimizerId = optimizerId;
        long n = 0;
        foreach (var p in parameters) n += p.Length;
        TotalLength = n;
    }

    public int Index { get; }
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of coordinates over all parameters of the group.</summary>
    public long TotalLength { get; }

    public double Lr
    {
        get => _values["lr"];
        set => Set("lr", value);
    }

    /// <summary>The hyperparameter names this group carries, in definition order.</summary>
    public IEnumerable<string> Names => _definitions.Keys;

    public IReadOnlyDictionary<string, Hyperparameter> Definitions => _definitions;

    public double Get(string name) =>
        _values.TryGetValue(name, out double v) ? v
        : throw new KeyNotFoundException($"{_optimizerId} has no hyperparameter '{name}'. Known: {string.Join(", ", _definitions.Keys)}.");

    public bool GetFlag(string name) => Get(name) != 0;

    public string GetText(string name) => _definitions[name].Format(Get(name));

    public void Set(string name, double value)
    {
        if (!_definitions.TryGetValue(name, out var def))
            throw new ArgumentException($"{_optimizerId} has no hyperparameter '{name}'. Known: {string.Join(", ", _definitions.Keys)}.", name);
        _values[name] = def.Validate(value, _optimizerId);
    }

    public void Set(string name, string text)
    {
        if (!_definitions.TryGetValue(name, out var def))
            throw new ArgumentException($"{_optimizerId} has no hyperparameter '{name}'. Known: {string.Join(", ", _definitions.Keys)}.", name);
        _values[name] = def.Parse(text, _optimizerId);
    }

    public bool Has(string name) => _definitions.ContainsKey(name);

    /// <summary>Adds a hyperparameter (used by wrappers such as coordinate clipping).</summary>
    internal void Define(Hyperparameter definition, double value)
    {
        _definitions[definition.Name] = definition;
        _values[definition.Name] = definition.Validate(value, _optimizerId);
    }

    public override string ToString() =>
        $"group {Index}: " + string.Join(", ", _definitions.Values.Select(d => $"{d.Name}={d.Format(_values[d.Name])}"));
}
