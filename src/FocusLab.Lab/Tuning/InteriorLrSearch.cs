namespace FocusLab.Lab.Tuning;

/// <summary>One learning rate of a search: its score on every seed (lower is better; NaN or ∞ means diverged).</summary>
public sealed record LrTrial(double Lr, double[] Scores)
{
    /// <summary>Mean over seeds; +∞ when any seed diverged, so a learning rate that sometimes blows up never wins.</summary>
    public double Mean => Scores.Length == 0 || Scores.Any(s => !double.IsFinite(s)) ? double.PositiveInfinity : Scores.Average();

    /// <summary>Sample standard deviation over seeds (0 for one seed, NaN when diverged).</summary>
    public double Std
    {
        get
        {
            if (!double.IsFinite(Mean)) return double.NaN;
            if (Scores.Length < 2) return 0;
            double m = Mean;
            return Math.Sqrt(Scores.Sum(s => (s - m) * (s - m)) / (Scores.Length - 1));
        }
    }
}

/// <summary>
/// The outcome of <see cref="InteriorLrSearch.Run"/>: every learning rate tried (ascending), the best one,
/// and whether it still sits at an edge of the final grid after the allowed extensions.
/// </summary>
public sealed record LrSearchResult(IReadOnlyList<LrTrial> Trials, double BestLr, int BestIndex, bool AtLowerEdge, bool AtUpperEdge, int Extensions)
{
    /// <summary>The best trial.</summary>
    public LrTrial Best => Trials[BestIndex];

    /// <summary>True when the optimum is interior: a verdict may be drawn from it without a caveat.</summary>
    public bool Interior => !AtLowerEdge && !AtUpperEdge;

    /// <summary>The final grid, ascending.</summary>
    public double[] Grid => Trials.Select(t => t.Lr).ToArray();
}

/// <summary>
/// Fair tuning: an optimizer is compared at its own best learning rate, from a grid whose optimum is
/// interior. The best lr (lowest mean score over seeds; ties go to the smaller lr) is looked up on the
/// initial grid; while it sits at an edge, the grid is extended by one geometric step beyond that edge
/// (the ratio of the grid's two outermost points on that side) and the new lr is run, up to
/// <c>maxExtensions</c> per side. A grid with every lr diverged is extended downwards. The result records
/// the final grid and flags an optimum still at an edge, so no verdict is drawn from one silently.
/// </summary>
internal static class InteriorLrSearch
{
    /// <summary>Runs the search. <paramref name="lrs"/>: the initial grid (positive, ascending, ≥ 2 points unless extensions are 0);
    /// <paramref name="evaluate"/>: runs one lr over all seeds and returns the per-seed scores.</summary>
    public static LrSearchResult Run(IReadOnlyList<double> lrs, Func<double, double[]> evaluate, int maxExtensions = 3)
    {
        ArgumentNullException.ThrowIfNull(lrs);
        ArgumentNullException.ThrowIfNull(evaluate);
        if (lrs.Count == 0) throw new ArgumentException("The learning-rate grid is empty; give at least two learning rates.", nameof(lrs));
        if (maxExtensions < 0) throw new ArgumentOutOfRangeException(nameof(maxExtensions), "maxExtensions must be ≥ 0.");
        for (int i = 0; i < lrs.Count; i++)
        {
            if (!(lrs[i] > 0) || !double.IsFinite(lrs[i])) throw new ArgumentException($"Learning rate {lrs[i]} is invalid; every learning rate must be positive and finite.", nameof(lrs));
            if (i > 0 && !(lrs[i] > lrs[i - 1])) throw new ArgumentException("The learning-rate grid must be strictly ascending.", nameof(lrs));
        }
        if (lrs.Count < 2 && maxExtensions > 0) throw new ArgumentException("An extensible grid needs at least two learning rates (their ratio is the extension step).", nameof(lrs));

        var trials = lrs.Select(lr => new LrTrial(lr, evaluate(lr))).ToList();
        int lower = 0, upper = 0;
        while (true)
        {
            int best = BestIndex(trials);
            bool allDiverged = !double.IsFinite(trials[best].Mean);
            if ((best == 0 || allDiverged) && lower < maxExtensions)
            {
                double lr = trials[0].Lr * trials[0].Lr / trials[1].Lr;
                trials.Insert(0, new LrTrial(lr, evaluate(lr)));
                lower++;
                continue;
            }
            if (!allDiverged && best == trials.Count - 1 && upper < maxExtensions)
            {
                double lr = trials[^1].Lr * trials[^1].Lr / trials[^2].Lr;
                trials.Add(new LrTrial(lr, evaluate(lr)));
                upper++;
                continue;
            }
            return new LrSearchResult(trials, trials[best].Lr, best, best == 0, best == trials.Count - 1, lower + upper);
        }
    }

    /// <summary>Index of the lowest mean score; the first (smallest lr) on ties; 0 when all diverged.</summary>
    public static int BestIndex(IReadOnlyList<LrTrial> trials)
    {
        int best = 0;
        for (int i = 1; i < trials.Count; i++)
            if (trials[i].Mean < trials[best].Mean) best = i;
        return best;
    }
}
