namespace FocusLab.Optim;

/// <summary>
/// What a caller hands the optimizer for one parameter group: its parameters and the
/// hyperparameters that differ from the optimizer's spec (as torch.optim's param_groups dicts).
/// </summary>
/// <param name="Parameters">The parameters of the group (at least one).</param>
/// <param name="Overrides">Hyperparameters that differ from the optimizer's spec for this group, as spec-string text by name; null for none.</param>
public sealed record ParameterGroupSpec(IReadOnlyList<Parameter> Parameters, IReadOnlyDictionary<string, string>? Overrides = null)
{
    /// <summary>A group from its parameters and overrides written as (name, value) pairs, e.g. <c>("weight_decay", 0.0)</c> or <c>("nesterov", true)</c>; values are converted with the invariant culture and validated when the optimizer is built.</summary>
    /// <param name="parameters">The parameters of the group (at least one).</param>
    /// <param name="overrides">Hyperparameters that differ from the optimizer's spec for this group.</param>
    public ParameterGroupSpec(IEnumerable<Parameter> parameters, params (string Name, object Value)[] overrides)
        : this(parameters.ToArray(), overrides.ToDictionary(o => o.Name, o => Convert.ToString(o.Value, System.Globalization.CultureInfo.InvariantCulture)!)) { }
}
