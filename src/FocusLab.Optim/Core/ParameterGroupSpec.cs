namespace FocusLab.Optim;

/// <summary>
/// What a caller hands the optimizer for one parameter group: its parameters and the
/// hyperparameters that differ from the optimizer's spec (as torch.optim's param_groups dicts).
/// </summary>
public sealed record ParameterGroupSpec(IReadOnlyList<Parameter> Parameters, IReadOnlyDictionary<string, string>? Overrides = null)
{
    public ParameterGroupSpec(IEnumerable<Parameter> parameters, params (string Name, object Value)[] overrides)
        : this(parameters.ToArray(), overrides.ToDictionary(o => o.Name, o => Convert.ToString(o.Value, System.Globalization.CultureInfo.InvariantCulture)!)) { }
}
