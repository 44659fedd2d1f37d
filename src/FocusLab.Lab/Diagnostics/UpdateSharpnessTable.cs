namespace FocusLab.Lab.Diagnostics;

/// <summary>One optimizer's row of the Pan &amp; Li table at a checkpoint: its pseudo-update direction's sharpness, the ratio to the reference optimizer's, and the line search along it.</summary>
internal sealed record UpdateSharpnessRow(string Optimizer, DirectionalSharpnessResult Sharpness, double RatioToReference, LineSearchResult LineSearch);

/// <summary>
/// The measurement behind Pan &amp; Li's table (docs/equations.md#sharpness-study): at checkpoint x, for each
/// optimizer's pseudo-update direction u (<see cref="PseudoUpdate"/>, <see cref="PseudoUpdateTracker"/>), its
/// directional sharpness (robust form when negative), the ratio to the reference optimizer's sharpness (sgd in
/// the paper), and the best local loss reduction along u/‖u‖ by a bracketing line search that starts at the
/// direction's own step scale (the minimiser of its quadratic model, <see cref="LineSearch.QuadraticModelStep"/>).
/// Nothing here moves the checkpoint.
/// </summary>
internal static class UpdateSharpnessTable
{
    /// <summary>Pseudo-updates from a window of gradients (the last taken at x), then <see cref="MeasureDirections"/>.</summary>
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
        var directions = new double[optimizerSpecs.Count][];
        for (int k = 0; k < directions.Length; k++) directions[k] = PseudoUpdate.Direction(optimizerSpecs[k], x, gradients, layout);
        return MeasureDirections(objective, hessian, x, optimizerSpecs, directions, referenceOptimizer, lineSearch);
    }

    /// <summary>
    /// The table for given directions (one per name). <paramref name="lineSearch"/>'s <see cref="LineSearchOptions.InitialStep"/>
    /// is only the fallback for a direction whose quadratic model has no minimum.
    /// </summary>
    public static UpdateSharpnessRow[] MeasureDirections(
        IObjective objective,
        IHessianOperator hessian,
        ReadOnlySpan<double> x,
        IReadOnlyList<string> names,
        IReadOnlyList<double[]> directions,
        string reference,
        LineSearchOptions? lineSearch = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(directions);
        if (names.Count != directions.Count) throw new ArgumentException($"{names.Count} names but {directions.Count} directions; give one direction per name.", nameof(directions));
        int referenceIndex = names.ToList().IndexOf(reference);
        if (referenceIndex < 0) throw new ArgumentException($"The reference optimizer '{reference}' is not among the measured specs ({string.Join(", ", names)}); add it.", nameof(reference));
        lineSearch ??= new LineSearchOptions();
        var measured = new (DirectionalSharpnessResult S, LineSearchResult L)[names.Count];
        for (int k = 0; k < names.Count; k++)
        {
            var s = DirectionalSharpness.Measure(objective, hessian, x, directions[k]);
            var own = lineSearch with { InitialStep = LineSearch.QuadraticModelStep(s.GradientCorrelation, s.Sharpness, lineSearch.InitialStep) };
            measured[k] = (s, LineSearch.Run(objective, x, directions[k], own));
        }
        double denominator = measured[referenceIndex].S.Sharpness;
        return names.Select((name, k) => new UpdateSharpnessRow(name, measured[k].S, measured[k].S.Sharpness / denominator, measured[k].L)).ToArray();
    }
}
