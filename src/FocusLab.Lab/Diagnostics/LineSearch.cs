namespace FocusLab.Lab.Diagnostics;

/// <summary>Options of <see cref="LineSearch"/>: where the bracketing starts, how it grows and where it stops.</summary>
public sealed record LineSearchOptions
{
    /// <summary>First trial step t₀ along u/‖u‖. Give each direction its own (e.g. <see cref="LineSearch.QuadraticModelStep"/>):
    /// the search is then independent of how flat or sharp the direction is, up to the cap.</summary>
    public double InitialStep { get; init; } = 1e-2;

    /// <summary>Factor γ by which the trial step grows while the loss stays below L(x) (and shrinks while t₀ does not descend).</summary>
    public double GrowthFactor { get; init; } = 2;

    /// <summary>Growth steps allowed; the cap is t₀·γ^MaxGrowths. A loss still below L(x) there is reported as <see cref="LineSearchResult.Capped"/>.</summary>
    public int MaxGrowths { get; init; } = 30;

    /// <summary>Shrink steps allowed when t₀ itself does not descend (an uphill direction ends as "no descent" after them).</summary>
    public int MaxShrinks { get; init; } = 40;

    /// <summary>Golden-section evaluations inside the bracket (each shrinks it by 0.618; 20 leave 1.5e-4 of its width).</summary>
    public int RefineEvaluations { get; init; } = 20;

    internal void Validate()
    {
        Check.Positive(InitialStep, nameof(InitialStep));
        if (!(GrowthFactor > 1) || !double.IsFinite(GrowthFactor)) throw new ArgumentOutOfRangeException(nameof(GrowthFactor), GrowthFactor, "GrowthFactor must be a finite number above 1.");
        Check.AtLeast(MaxGrowths, 0, nameof(MaxGrowths));
        Check.AtLeast(MaxShrinks, 0, nameof(MaxShrinks));
        Check.AtLeast(RefineEvaluations, 0, nameof(RefineEvaluations));
    }
}

/// <summary>
/// A bracketing line search along u/‖u‖: every loss evaluated (<see cref="StepSizes"/> ascending from t = 0,
/// <see cref="Losses"/> alongside), the bracket [<see cref="BracketLow"/>, <see cref="BracketHigh"/>] that
/// holds the minimum, and the best local loss reduction L(x) − L(x + t*·û) at <see cref="BestStep"/> = t*.
/// <see cref="FoundDescent"/> is false when no step below t₀ (down to t₀/γ^MaxShrinks) lowered the loss (the
/// reduction is then 0 at t = 0). <see cref="Capped"/> is true when the loss was still falling at the cap
/// t₀·γ^MaxGrowths: the minimum lies beyond it, so the reported reduction is a lower bound — count and flag
/// such searches, never read them as a minimum.
/// </summary>
internal sealed record LineSearchResult(
    double[] StepSizes,
    double[] Losses,
    double InitialStep,
    double StartLoss,
    double BestReduction,
    double BestStep,
    double BracketLow,
    double BracketHigh,
    bool FoundDescent,
    bool Capped);

/// <summary>
/// The line search of Pan &amp; Li (2023, section 4) along a normalised update direction, done as the paper
/// does it: each direction at its own step scale, searched until the loss rises again. From t₀ the step grows
/// geometrically (×γ) until L rises above L(x) or the cap is reached (t₀ shrinks first if it does not descend);
/// the lowest of those points and its two neighbours bracket the minimum, and golden-section search refines
/// it inside the bracket. Never modifies x.
/// </summary>
internal static class LineSearch
{
    /// <summary>(3 − √5)/2: the golden-section fraction of the larger bracket segment where the next point goes.</summary>
    private const double Golden = 0.3819660112501051;

    /// <summary>
    /// The minimiser of the local quadratic model along û, t = −(∇Lᵀû)/(ûᵀHû), from a direction's gradient
    /// correlation ∇Lᵀu/‖u‖ and sharpness uᵀHu/‖u‖² — a step scale of the direction's own; <paramref name="fallback"/>
    /// when the model has no minimum (u not downhill, or curvature ≤ 0).
    /// </summary>
    public static double QuadraticModelStep(double gradientCorrelation, double sharpness, double fallback)
    {
        double t = -gradientCorrelation / sharpness;
        return gradientCorrelation < 0 && sharpness > 0 && double.IsFinite(t) && t > 0 ? t : fallback;
    }

    public static LineSearchResult Run(IObjective objective, ReadOnlySpan<double> x, ReadOnlySpan<double> u, LineSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new LineSearchOptions();
        options.Validate();
        int d = objective.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        Check.Length(d, u.Length, "Direction u", nameof(u));
        Check.Finite(u, "Direction u", nameof(u));
        double norm = Vec.Norm(u);
        if (norm == 0) throw new ArgumentException("Direction u is zero; a line search needs a non-zero direction.", nameof(u));

        var unit = u.ToArray();
        Vec.Scale(unit, 1 / norm);
        var probe = new double[d];
        var xs = x.ToArray();
        var evaluated = new SortedDictionary<double, double>();
        double Loss(double t)
        {
            if (evaluated.TryGetValue(t, out double known)) return known;
            Vec.AddScaled(xs, t, unit, probe);
            double value = objective.Loss(probe);
            // A non-finite loss (overflow far along û) counts as a rise: it closes the bracket.
            return evaluated[t] = double.IsFinite(value) ? value : double.PositiveInfinity;
        }
        double start = Loss(0);
        if (!double.IsFinite(start)) throw new InvalidOperationException($"The loss at the start point is {start}; a line search needs a finite starting loss.");

        double gamma = options.GrowthFactor;
        double t = options.InitialStep;
        for (int shrink = 0; Loss(t) >= start && shrink < options.MaxShrinks; shrink++) t /= gamma;
        if (Loss(t) >= start)
            return Result(evaluated, options, start, 0, 0, t, descent: false, capped: false);

        // Grow until the loss rises above the start (the far end of the bracket) or the cap is reached.
        var grid = new List<double> { t };
        for (int k = 0; Loss(grid[^1]) < start && k < options.MaxGrowths; k++) grid.Add(grid[^1] * gamma);
        int best = 0;
        for (int k = 1; k < grid.Count; k++) if (Loss(grid[k]) < Loss(grid[best])) best = k;
        double low = best > 0 ? grid[best - 1] : 0;
        if (best == grid.Count - 1)
            // Still falling at the cap (or no growth allowed): the minimum is beyond it, nothing to refine.
            return Result(evaluated, options, start, grid[best], low, grid[best], descent: true, capped: true);
        double high = grid[best + 1];

        // Golden-section search on the triple low < b < high with L(b) ≤ L(low), L(high).
        double a = low, b = grid[best], c = high;
        for (int k = 0; k < options.RefineEvaluations; k++)
        {
            bool right = c - b > b - a;
            double trial = right ? b + Golden * (c - b) : b - Golden * (b - a);
            if (trial == b) break; // the bracket has shrunk to rounding
            if (Loss(trial) < Loss(b))
            {
                if (right) a = b; else c = b;
                b = trial;
            }
            else if (right) c = trial;
            else a = trial;
        }
        return Result(evaluated, options, start, b, low, high, descent: true, capped: false);
    }

    private static LineSearchResult Result(SortedDictionary<double, double> evaluated, LineSearchOptions options, double start, double best, double low, double high, bool descent, bool capped) =>
        new(evaluated.Keys.ToArray(), evaluated.Values.ToArray(), options.InitialStep, start, start - evaluated[best], best, low, high, descent, capped);
}
