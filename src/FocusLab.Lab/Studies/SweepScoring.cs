namespace FocusLab.Lab.Studies;

/// <summary>An optimizer's result at one batch size: its best lr and the replicate losses there.</summary>
public sealed record OptimizerAtBatch(string Optimizer, int Batch, double BestLr, int BestLrIndex, double LossMean, double LossStd,
    double[] ReplicateLosses, double? AccuracyMean, int DivergedRuns, double[] MeanLossPerLr);

/// <summary>
/// Improvement of signum over adamw at one batch size, I = (L_adamw − L_signum)/L_adamw on the
/// replicate-mean losses, and its spread: mean, standard deviation, min and max of the per-replicate
/// I_r = (L_adamw,r − L_signum,r)/L_adamw,r (replicate r of each at its own best lr; same seed).
/// </summary>
public sealed record Improvement(int Batch, double I, double ReplicateMean, double ReplicateStd, double ReplicateMin, double ReplicateMax);

/// <summary>Where I changes sign from positive (signum better) to non-positive (adamw better).</summary>
public sealed record Crossover(double? Batch, int? Below, int? Above, string Note);

public sealed record BatchSweepSummary(string Preset, OptimizerAtBatch[] Results, Improvement[] Improvements, Crossover Crossover);

/// <summary>
/// Scoring rules of the batch-size study (FOCUS fig. 2c/d, docs/equations.md#batch-sweep): a run's score is its final test
/// loss, <see cref="DivergedLoss"/> if it diverged; an optimizer's loss at a batch size is the mean
/// score over replicates, minimised over learning rates.
/// </summary>
public static class SweepScoring
{
    /// <summary>Loss counted for a diverged run (the FOCUS authors' convention).</summary>
    public const double DivergedLoss = 100;

    /// <summary>The score of a finished run: its test loss, or <see cref="DivergedLoss"/> when it diverged or the loss is not finite or larger.</summary>
    public static double Score(bool diverged, double? testLoss) =>
        diverged || testLoss is not { } l || !double.IsFinite(l) || l > DivergedLoss ? DivergedLoss : l;

    /// <summary>Summarises a complete grid. Throws when cells are missing (lists how many, and the first).</summary>
    public static BatchSweepSummary Summarize(BatchSweepGrid grid, IReadOnlyCollection<SweepCellResult> cells)
    {
        var byKey = new Dictionary<SweepCellKey, SweepCellResult>();
        foreach (var c in cells) byKey[c.Key] = c;
        var missing = grid.Cells().Where(k => !byKey.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"The sweep is incomplete: {missing.Count} of {grid.CellCount} cells are missing (first: {missing[0]}); run the remaining shards or rerun to finish.");

        var results = new List<OptimizerAtBatch>();
        foreach (int b in grid.BatchSizes)
            foreach (var o in grid.Optimizers)
            {
                var perLr = new double[grid.LearningRates.Length];
                int diverged = 0;
                for (int l = 0; l < perLr.Length; l++)
                {
                    var reps = Enumerable.Range(0, grid.Replicates).Select(r => byKey[new SweepCellKey(o.Label, b, l, r)]).ToList();
                    perLr[l] = reps.Average(c => c.Score);
                    diverged += reps.Count(c => c.Diverged);
                }
                // Ties go to the smaller lr (first index), so the choice is deterministic.
                int best = 0;
                for (int l = 1; l < perLr.Length; l++) if (perLr[l] < perLr[best]) best = l;
                var bestCells = Enumerable.Range(0, grid.Replicates).Select(r => byKey[new SweepCellKey(o.Label, b, best, r)]).ToArray();
                var losses = bestCells.Select(c => c.Score).ToArray();
                var acc = bestCells.All(c => c.Accuracy is not null) ? bestCells.Average(c => c.Accuracy!.Value) : (double?)null;
                results.Add(new OptimizerAtBatch(o.Label, b, grid.LearningRates[best], best, perLr[best], Std(losses), losses, acc, diverged, perLr));
            }

        var improvements = grid.BatchSizes.Select(b =>
        {
            var a = results.Single(r => r.Batch == b && r.Optimizer == "adamw");
            var s = results.Single(r => r.Batch == b && r.Optimizer == "signum");
            var perRep = a.ReplicateLosses.Zip(s.ReplicateLosses, (la, ls) => (la - ls) / la).ToArray();
            return new Improvement(b, (a.LossMean - s.LossMean) / a.LossMean, perRep.Average(), Std(perRep), perRep.Min(), perRep.Max());
        }).OrderBy(i => i.Batch).ToArray();

        return new BatchSweepSummary(grid.Preset, results.ToArray(), improvements, FindCrossover(improvements.Select(i => (i.Batch, i.I)).ToArray()));
    }

    /// <summary>
    /// The first batch size where I goes from &gt; 0 to ≤ 0, interpolated linearly in log2(batch):
    /// log2 b* = log2 b_k + I_k/(I_k − I_{k+1})·(log2 b_{k+1} − log2 b_k). Null (with a note) when I never changes sign that way.
    /// </summary>
    public static Crossover FindCrossover(IReadOnlyList<(int Batch, double I)> curve)
    {
        var pts = curve.OrderBy(p => p.Batch).ToArray();
        if (pts.Length == 0) return new Crossover(null, null, null, "no batch sizes");
        int changes = 0;
        Crossover? first = null;
        for (int k = 0; k + 1 < pts.Length; k++)
        {
            var (b0, i0) = pts[k];
            var (b1, i1) = pts[k + 1];
            if (i0 > 0 && i1 <= 0)
            {
                changes++;
                if (first is null)
                {
                    double x0 = Math.Log2(b0), x1 = Math.Log2(b1);
                    double x = x0 + i0 / (i0 - i1) * (x1 - x0);
                    first = new Crossover(Math.Pow(2, x), b0, b1, "");
                }
            }
        }
        if (first is not null)
            return first with { Note = changes == 1 ? "signum better below, adamw better above" : $"I changes sign {changes} times; the first change is reported" };
        if (pts.All(p => p.I > 0)) return new Crossover(null, null, null, "signum is better at every batch size (I > 0 throughout)");
        if (pts.All(p => p.I <= 0)) return new Crossover(null, null, null, "adamw is at least as good at every batch size (I ≤ 0 throughout)");
        return new Crossover(null, null, null, "I only changes from ≤ 0 to > 0 (adamw better at small batches), the opposite of the paper's claim");
    }

    /// <summary>Sample standard deviation (n − 1); 0 for a single value.</summary>
    public static double Std(IReadOnlyList<double> x)
    {
        if (x.Count < 2) return 0;
        double m = x.Average();
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1));
    }
}
