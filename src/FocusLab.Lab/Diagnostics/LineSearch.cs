namespace FocusLab.Lab.Diagnostics;

/// <summary>Options of <see cref="LineSearch"/>: steps 0…<see cref="Steps"/> of <see cref="BaseStep"/> along u/‖u‖.</summary>
public sealed record LineSearchOptions
{
    public double BaseStep { get; init; } = 1e-2;
    public int Steps { get; init; } = 20;
    /// <summary>The base step is shrunk (×<see cref="ShrinkFactor"/>) until at least this many grid points (step &gt; 0) have loss below the start.</summary>
    public int MinPointsBelowStart { get; init; } = 4;
    public double ShrinkFactor { get; init; } = 0.5;
    public int MaxShrinks { get; init; } = 40;

    internal void Validate()
    {
        Check.Positive(BaseStep, nameof(BaseStep));
        Check.AtLeast(Steps, 1, nameof(Steps));
        if (MinPointsBelowStart < 0 || MinPointsBelowStart > Steps)
            throw new ArgumentOutOfRangeException(nameof(MinPointsBelowStart), MinPointsBelowStart, $"MinPointsBelowStart must be between 0 and Steps ({Steps}).");
        if (!(ShrinkFactor > 0 && ShrinkFactor < 1)) throw new ArgumentOutOfRangeException(nameof(ShrinkFactor), ShrinkFactor, "ShrinkFactor must lie in (0, 1).");
        Check.AtLeast(MaxShrinks, 0, nameof(MaxShrinks));
    }
}

/// <summary>
/// Losses L(x + t·u/‖u‖) at t = k·base, k = 0…Steps, with the base actually used, how often it was shrunk,
/// and the best local loss reduction L(x) − min_k L(x + t_k û) (≥ 0 since k = 0 is included) at step <see cref="BestStep"/>.
/// <see cref="EnoughPointsBelowStart"/> is false if even the smallest base tried left fewer than the required points below the start
/// (e.g. u points uphill).
/// </summary>
public sealed record LineSearchResult(
    double[] StepSizes,
    double[] Losses,
    double BaseStep,
    int Shrinks,
    double StartLoss,
    double BestReduction,
    double BestStep,
    bool EnoughPointsBelowStart);

/// <summary>The line search of Pan &amp; Li (2023) along a normalised update direction. Never modifies x.</summary>
public static class LineSearch
{
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
        double start = objective.Loss(x);
        if (!double.IsFinite(start)) throw new InvalidOperationException($"The loss at the start point is {start}; a line search needs a finite starting loss.");

        double baseStep = options.BaseStep;
        int n = options.Steps + 1;
        double[] steps = new double[n], losses = new double[n];
        for (int shrink = 0; ; shrink++)
        {
            int below = 0;
            steps[0] = 0;
            losses[0] = start;
            for (int k = 1; k < n; k++)
            {
                steps[k] = k * baseStep;
                Vec.AddScaled(x, steps[k], unit, probe);
                losses[k] = objective.Loss(probe);
                if (losses[k] < start) below++;
            }
            bool enough = below >= options.MinPointsBelowStart;
            if (enough || shrink == options.MaxShrinks)
            {
                int best = 0;
                for (int k = 1; k < n; k++) if (losses[k] < losses[best]) best = k;
                return new(steps, losses, baseStep, shrink, start, start - losses[best], steps[best], enough);
            }
            baseStep *= options.ShrinkFactor;
        }
    }
}
