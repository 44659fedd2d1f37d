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

    /// <summary>Position of this group in <see cref="Optimizer.Groups"/> (the order the specs were given).</summary>
    public int Index { get; }
    /// <summary>The parameters this group's hyperparameters apply to, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of coordinates over all parameters of the group.</summary>
    public long TotalLength { get; }

    /// <summary>The group's current learning rate η (<c>lr</c>); a schedule rewrites it before each step.</summary>
    public double Lr
    {
        get => _values["lr"];
        set => Set("lr", value);
    }

    /// <summary>The hyperparameter names this group carries, in definition order.</summary>
    public IEnumerable<string> Names => _definitions.Keys;

    /// <summary>The definition (default, valid range, kind) of every hyperparameter this group carries, by name.</summary>
    public IReadOnlyDictionary<string, Hyperparameter> Definitions => _definitions;

    /// <summary>The current value of a hyperparameter (flags as 1/0, choices as indices); an unknown name throws, listing the known ones.</summary>
    public double Get(string name) =>
        _values.TryGetValue(name, out double v) ? v
        : throw new KeyNotFoundException($"{_optimizerId} has no hyperparameter '{name}'. Known: {string.Join(", ", _definitions.Keys)}.");

    /// <summary>The current value of a flag hyperparameter such as <c>nesterov</c>.</summary>
    public bool GetFlag(string name) => Get(name) != 0;

    /// <summary>The current value in spec-string form (<c>true</c>, <c>after</c>, <c>0.001</c>).</summary>
    public string GetText(string name) => _definitions[name].Format(Get(name));

    /// <summary>Changes a hyperparameter for the following steps; throws naming the valid range if the value is out of it, or the known names if the name is unknown.</summary>
    public void Set(string name, double value)
    {
        if (!_definitions.TryGetValue(name, out var def))
            throw new ArgumentException($"{_optimizerId} has no hyperparameter '{name}'. Known: {string.Join(", ", _definitions.Keys)}.", name);
        _values[name] = def.Validate(value, _optimizerId);
    }

    /// <summary>Changes a hyperparameter from its spec-string text (<c>"6e-4"</c>, <c>"true"</c>, <c>"after"</c>), validated like <see cref="Set(string, double)"/>.</summary>
    public void Set(string name, string text)
    {
        if (!_definitions.TryGetValue(name, out var def))
            throw new ArgumentException($"{_optimizerId} has no hyperparameter '{name}'. Known: {string.Join(", ", _definitions.Keys)}.", name);
        _values[name] = def.Parse(text, _optimizerId);
    }

    /// <summary>Whether this group carries the hyperparameter (e.g. <c>clip_fraction</c> only once clipping was added).</summary>
    public bool Has(string name) => _definitions.ContainsKey(name);

    /// <summary>Adds a hyperparameter (used by wrappers such as coordinate clipping).</summary>
    internal void Define(Hyperparameter definition, double value)
    {
        _definitions[definition.Name] = definition;
        _values[definition.Name] = definition.Validate(value, _optimizerId);
    }

    /// <summary>The group's index and every hyperparameter as <c>name=value</c>, for logs.</summary>
    public override string ToString() =>
        $"group {Index}: " + string.Join(", ", _definitions.Values.Select(d => $"{d.Name}={d.Format(_values[d.Name])}"));
}
