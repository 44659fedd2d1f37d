namespace FocusLab.Lab.Diagnostics;

/// <summary>One optimizer's row of the Pan &amp; Li table at a checkpoint: its pseudo-update direction's sharpness, the ratio to the reference optimizer's, and the line search along it.</summary>
public sealed record UpdateSharpnessRow(string Optimizer, DirectionalSharpnessResult Sharpness, double RatioToReference, LineSearchResult LineSearch);

/// <summary>
/// The measurement behind Pan &amp; Li's table (docs/equations.md#sharpness-study): at checkpoint x, for each
/// optimizer spec, the pseudo-update direction u from the same gradient trajectory
/// (<see cref="PseudoUpdate"/>), its directional sharpness (robust form when negative), the ratio to the
/// reference optimizer's sharpness (sgd in the paper), and the best local loss reduction along u/‖u‖.
/// Nothing here moves the checkpoint.
/// </summary>
public static class UpdateSharpnessTable
{
    /// <param name="referenceOptimizer">Spec whose sharpness is the denominator of the ratios; must be one of <paramref name="optimizerSpecs"/>.</param>
    public static UpdateSharpnessRow[] Measure(
        IObjective objective,
        IHessianOperator hessian,
        ReadOnlySpan<double> x,
        IReadOnlyList<double[]> gradients,
        IReadOnlyList<string> optimizerSpecs,
        string referenceOptimizer,
        TensorLayout? layout = null,
        LineSearchOptions? lineSearch = null)
    {
        ArgumentNullException.ThrowIfNull(optimizerSpecs);
        int reference = optimizerSpecs.ToList().IndexOf(referenceOptimizer);
        if (reference < 0) throw new ArgumentException($"The reference optimizer '{referenceOptimizer}' is not among the measured specs ({string.Join(", ", optimizerSpecs)}); add it.", nameof(referenceOptimizer));
        var measured = new (DirectionalSharpnessResult S, LineSearchResult L)[optimizerSpecs.Count];
        for (int k = 0; k < optimizerSpecs.Count; k++)
        {
            var u = PseudoUpdate.Direction(optimizerSpecs[k], x, gradients, layout);
            measured[k] = (DirectionalSharpness.Measure(objective, hessian, x, u), LineSearch.Run(objective, x, u, lineSearch));
        }
        double denominator = measured[reference].S.Sharpness;
        return optimizerSpecs.Select((spec, k) => new UpdateSharpnessRow(spec, measured[k].S, measured[k].S.Sharpness / denominator, measured[k].L)).ToArray();
    }
}
