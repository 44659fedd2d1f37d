using FocusLab.Lab.Reports;
using FocusLab.Lab.Tuning;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// An optimizer's result at one batch size: its best lr over the final (possibly extended) lr grid and the
/// replicate losses there. <see cref="LrGrid"/> and <see cref="MeanLossPerLr"/> are aligned and ascending;
/// <see cref="BestLrIndex"/> is the store's lr index (negative or ≥ the base grid's length for an extended
/// lr); <see cref="AtLowerEdge"/>/<see cref="AtUpperEdge"/> flag an optimum still at an edge after the
/// allowed extensions, from which no verdict should be drawn without saying so.
/// </summary>
public sealed record OptimizerAtBatch(string Optimizer, int Batch, double BestLr, int BestLrIndex, double LossMean, double LossStd,
    double[] ReplicateLosses, double? AccuracyMean, int DivergedRuns, double[] MeanLossPerLr,
    double[] LrGrid, int Extensions, bool AtLowerEdge, bool AtUpperEdge);

/// <summary>Where I changes sign from positive (signum better) to non-positive (adamw better).</summary>
public sealed record Crossover(double? Batch, int? Below, int? Above, string Note);

/// <summary>The crossover of one optimizer's I(b) against adamw.</summary>
public sealed record OptimizerCrossover(string Optimizer, Crossover Crossover);

/// <summary>A batch size left out of a summary because some of its cells (base or extension) are not in the store yet.</summary>
public sealed record IncompleteBatch(int Batch, int MissingCells, string FirstMissing);

/// <summary>
/// A summarised sweep: per (optimizer, batch) results, I(b) of every optimizer against adamw
/// (<see cref="Improvements"/>, signum's first), each optimizer's crossover, and signum's crossover
/// (<see cref="Crossover"/>, the paper's fig. 2d). Batch sizes with missing cells are listed, not scored.
/// </summary>
public sealed record BatchSweepSummary(string Preset, OptimizerAtBatch[] Results, Improvement[] Improvements, Crossover Crossover,
    OptimizerCrossover[] Crossovers, IncompleteBatch[] IncompleteBatches, int MaxLrExtensions);

/// <summary>
/// Scoring rules of the batch-size study (FOCUS fig. 2c/d, docs/equations.md#batch-sweep): a run's score is its final test
/// loss, <see cref="DivergedLoss"/> if it diverged; an optimizer's loss at a batch size is the mean
/// score over replicates, minimised over learning rates; when that minimum sits at an edge of the lr grid,
/// the grid is extended by one geometric step there (<see cref="Tuning.InteriorLrSearch"/>), up to
/// <see cref="DefaultLrExtensions"/> times per side.
/// </summary>
public static class SweepScoring
{
    /// <summary>Loss counted for a diverged run (the FOCUS authors' convention).</summary>
    public const double DivergedLoss = 100;

    /// <summary>How many lr steps beyond each edge of the grid a sweep may add (the fair-tuning rule).</summary>
    public const int DefaultLrExtensions = 3;

    /// <summary>The score of a finished run: its test loss, or <see cref="DivergedLoss"/> when it diverged or the loss is not finite or larger.</summary>
    public static double Score(bool diverged, double? testLoss) =>
        diverged || testLoss is not { } l || !double.IsFinite(l) || l > DivergedLoss ? DivergedLoss : l;

    /// <summary>Raised by a cell source that does not hold a cell.</summary>
    internal sealed class MissingCellException(SweepCellKey key) : Exception($"cell {key} is missing")
    {
        public SweepCellKey Key { get; } = key;
    }

    /// <summary>
    /// The fair-tuning search of one (optimizer, batch): the replicate-mean score per lr over the base grid,
    /// extended at an edge optimum (<see cref="Tuning.InteriorLrSearch"/>; a diverged run counts
    /// <see cref="DivergedLoss"/>, so the choice is the sweep's usual minimum of the mean score, ties to the
    /// smaller lr). <paramref name="cell"/> returns a cell's result (looked up, or computed and stored);
    /// it throws <see cref="MissingCellException"/> when it cannot.
    /// </summary>
    public static OptimizerAtBatch Search(BatchSweepGrid grid, string optimizer, int batch, Func<SweepCellKey, SweepCellResult> cell, int maxExtensions)
    {
        var cells = new Dictionary<int, SweepCellResult[]>();
        SweepCellResult[] Replicates(int lrIndex) => cells.TryGetValue(lrIndex, out var c) ? c
            : cells[lrIndex] = Enumerable.Range(0, grid.Replicates).Select(r => cell(new SweepCellKey(optimizer, batch, lrIndex, r))).ToArray();
        int Index(double lr) => grid.LrIndexOf(lr, maxExtensions) ?? throw new InvalidOperationException($"lr {lr} is not on the extended grid.");

        // Every base cell first, so a missing one is found before any extension is decided.
        for (int l = 0; l < grid.LearningRates.Length; l++) Replicates(l);
        int ext = grid.LearningRates.Length < 2 ? 0 : maxExtensions;
        var search = Tuning.InteriorLrSearch.Run(grid.LearningRates, lr => Replicates(Index(lr)).Select(c => c.Score).ToArray(), ext);
        int best = Index(search.BestLr);
        var bestCells = Replicates(best);
        var losses = bestCells.Select(c => c.Score).ToArray();
        var acc = bestCells.All(c => c.Accuracy is not null) ? bestCells.Average(c => c.Accuracy!.Value) : (double?)null;
        int diverged = search.Trials.Sum(t => Replicates(Index(t.Lr)).Count(c => c.Diverged));
        return new OptimizerAtBatch(optimizer, batch, search.BestLr, best, search.Best.Mean, Std(losses), losses, acc, diverged,
            search.Trials.Select(t => t.Mean).ToArray(), search.Grid, search.Extensions, search.AtLowerEdge, search.AtUpperEdge);
    }

    /// <summary>
    /// Summarises the batch sizes whose cells (base grid and the extensions the fair-tuning rule asks for)
    /// are all in <paramref name="cells"/>; the others are listed as incomplete. Throws when no batch size is
    /// complete (how many base cells are missing, and the first).
    /// </summary>
    public static BatchSweepSummary Summarize(BatchSweepGrid grid, IReadOnlyCollection<SweepCellResult> cells, int maxExtensions = DefaultLrExtensions)
    {
        var byKey = new Dictionary<SweepCellKey, SweepCellResult>();
        foreach (var c in cells) byKey[c.Key] = c;
        SweepCellResult Lookup(SweepCellKey k) => byKey.TryGetValue(k, out var c) ? c : throw new MissingCellException(k);

        var results = new List<OptimizerAtBatch>();
        var incomplete = new List<IncompleteBatch>();
        foreach (int b in grid.BatchSizes)
        {
            var atBatch = new List<OptimizerAtBatch>();
            SweepCellKey? firstMissing = null;
            foreach (var o in grid.Optimizers)
            {
                try { atBatch.Add(Search(grid, o.Label, b, Lookup, maxExtensions)); }
                catch (MissingCellException e) { firstMissing ??= e.Key; }
            }
            if (firstMissing is { } m)
            {
                int missingBase = grid.Cells().Count(k => k.Batch == b && !byKey.ContainsKey(k));
                incomplete.Add(new IncompleteBatch(b, missingBase, m.ToString()));
            }
            else results.AddRange(atBatch);
        }
        if (results.Count == 0)
        {
            var missing = grid.Cells().Where(k => !byKey.ContainsKey(k)).ToList();
            string first = missing.Count > 0 ? missing[0].ToString() : incomplete[0].FirstMissing;
            throw new InvalidOperationException($"The sweep is incomplete: {missing.Count} of {grid.CellCount} cells are missing (first: {first}); no batch size is complete. Run the remaining shards or rerun to finish.");
        }

        var batches = results.Select(r => r.Batch).Distinct().Order().ToArray();
        var improvements = new List<Improvement>();
        var crossovers = new List<OptimizerCrossover>();
        foreach (var o in grid.Optimizers.Where(o => o.Label != "adamw").OrderBy(o => o.Label == "signum" ? 0 : 1))
        {
            var curve = batches.Select(b => Compare(results.Single(r => r.Batch == b && r.Optimizer == "adamw"), results.Single(r => r.Batch == b && r.Optimizer == o.Label))).ToArray();
            improvements.AddRange(curve);
            crossovers.Add(new OptimizerCrossover(o.Label, FindCrossover(curve.Select(i => (i.Batch, i.I)).ToArray())));
        }
        return new BatchSweepSummary(grid.Preset, results.ToArray(), improvements.ToArray(), crossovers.Single(c => c.Optimizer == "signum").Crossover,
            crossovers.ToArray(), incomplete.ToArray(), maxExtensions);
    }

    /// <summary>I of <paramref name="other"/> against <paramref name="adamw"/> at one batch size, with its replicate spread.</summary>
    public static Improvement Compare(OptimizerAtBatch adamw, OptimizerAtBatch other)
    {
        var perRep = adamw.ReplicateLosses.Zip(other.ReplicateLosses, (la, lo) => (la - lo) / la).ToArray();
        double i = (adamw.LossMean - other.LossMean) / adamw.LossMean;
        bool larger = i > 0 ? perRep.Min() > 0 : i < 0 && perRep.Max() < 0;
        bool edge = adamw.AtLowerEdge || adamw.AtUpperEdge || other.AtLowerEdge || other.AtUpperEdge;
        return new Improvement(other.Optimizer, adamw.Batch, i, perRep.Average(), Std(perRep), perRep.Min(), perRep.Max(), larger, edge);
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
            return first with { Note = changes == 1 ? "better than adamw below, worse above" : $"I changes sign {changes} times; the first change is reported" };
        if (pts.All(p => p.I > 0)) return new Crossover(null, null, null, "better than adamw at every batch size (I > 0 throughout)");
        if (pts.All(p => p.I <= 0)) return new Crossover(null, null, null, "adamw is at least as good at every batch size (I ≤ 0 throughout)");
        return new Crossover(null, null, null, "I only changes from ≤ 0 to > 0 (adamw better at small batches), the opposite of the papers' claim");
    }

    /// <summary>Sample standard deviation (n − 1); 0 for a single value.</summary>
    public static double Std(IReadOnlyList<double> x)
    {
        if (x.Count < 2) return 0;
        double m = x.Average();
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1));
    }
}
