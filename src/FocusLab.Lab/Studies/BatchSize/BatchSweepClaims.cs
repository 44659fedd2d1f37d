using System.Globalization;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Studies.BatchSize;

/// <summary>
/// The batch sweep's verdicts on FOCUS fig. 2c/d, one per optimizer compared with adamw: "it beats adamw
/// at small batches and loses at large ones". The claim is judged at the smallest and the largest batch
/// size of the summary: reproduced when I &gt; 0 at the smallest and I &lt; 0 at the largest, each larger than
/// the replicate spread, and no optimum there at an edge of its lr grid; not reproduced when either end
/// has a difference, larger than the spread and from interior optima, of the wrong sign — or differences
/// within the spread; not testable when an edge optimum or an unfinished batch size leaves the question open.
/// </summary>
internal static class BatchSweepClaims
{
    public const string PaperProtocol =
        "MLP on MNIST; batch 2^1..2^12; 20 lrs logspace(−4, 0); 3 replicates; 400 steps; wd 1e-2; test loss on the full test set; diverged runs count 100 (FOCUS fig. 2c/d)";

    public static ClaimRecord[] Check(BatchSweepGrid grid, BatchSweepSummary summary, string command)
    {
        var batches = summary.Results.Select(r => r.Batch).Distinct().Order().ToArray();
        string protocol = Protocol(grid, summary, batches);
        var deviations = Deviations(grid, summary, batches);
        var claims = new List<ClaimRecord>();
        foreach (var oc in summary.Crossovers)
        {
            var curve = summary.Improvements.Where(i => i.Optimizer == oc.Optimizer).OrderBy(i => i.Batch).ToArray();
            string numbers = string.Join("; ", curve.Select(i => string.Create(CultureInfo.InvariantCulture,
                $"I({i.Batch}) = {FocusLab.Lab.Claims.ClaimFormat.Signed(i.I)} ± {i.ReplicateStd:F3}{(i.LargerThanSpread ? "" : " (within spread)")}{(i.EdgeOptimum ? " [edge lr]" : "")}")))
                + (oc.Crossover.Batch is { } b ? string.Create(CultureInfo.InvariantCulture, $"; crossover ≈ {b:F0}") : $"; no crossover ({oc.Crossover.Note})");
            var (verdict, reason) = Judge(curve, summary.IncompleteBatches.Length);
            claims.Add(new ClaimRecord($"focus.fig2cd.{oc.Optimizer}", "FOCUS (Liu, Liu & Gore 2025)",
                $"{oc.Optimizer} beats adamw at small batch sizes and loses at large ones (a crossover batch size)",
                PaperProtocol, protocol, deviations, command, numbers, grid.Replicates, verdict, reason));
        }
        return claims.ToArray();
    }

    /// <summary>The verdict from the I(b) curve of one optimizer (ascending batch).</summary>
    public static (string Verdict, string Reason) Judge(IReadOnlyList<Improvement> curve, int incompleteBatches)
    {
        if (curve.Count < 2) return (ClaimVerdict.NotTestable, "fewer than two complete batch sizes");
        if (incompleteBatches > 0) return (ClaimVerdict.NotTestable, $"{incompleteBatches} batch sizes are not finished; the claim is judged at both ends of the whole range");
        var small = curve[0];
        var large = curve[^1];
        string At(Improvement i) => string.Create(CultureInfo.InvariantCulture, $"batch {i.Batch} (I = {FocusLab.Lab.Claims.ClaimFormat.Signed(i.I)})");
        bool smallWins = small.I > 0 && small.LargerThanSpread, largeLoses = large.I < 0 && large.LargerThanSpread;
        if (smallWins && largeLoses && !small.EdgeOptimum && !large.EdgeOptimum)
            return (ClaimVerdict.Reproduced, $"better than adamw beyond the replicate spread at {At(small)}, worse at {At(large)}, interior lr optima");
        var contradicted = new[] { small, large }.Where(i => !i.EdgeOptimum && i.LargerThanSpread && (i == small ? i.I < 0 : i.I > 0)).ToList();
        if (contradicted.Count > 0)
            return (ClaimVerdict.NotReproduced, $"the sign is wrong beyond the replicate spread at {string.Join(" and ", contradicted.Select(At))}");
        var edge = new[] { small, large }.Where(i => i.EdgeOptimum).ToList();
        if (edge.Count > 0)
            return (ClaimVerdict.NotTestable, $"a best lr still sits at an edge of its grid at {string.Join(" and ", edge.Select(At))}; extend the grid (--lrs, --lr-extensions)");
        var within = new[] { small, large }.Where(i => !i.LargerThanSpread).ToList();
        return (ClaimVerdict.NotReproduced, $"the difference is within the replicate spread at {string.Join(" and ", within.Select(At))}");
    }

    private static string Protocol(BatchSweepGrid g, BatchSweepSummary s, int[] batches)
    {
        var inv = CultureInfo.InvariantCulture;
        string test = g.EvalSamples == 0 ? "the full test set" : $"the first {g.EvalSamples} test images";
        return string.Create(inv, $"MLP on Fashion-MNIST; batch {string.Join(",", batches)}; {g.LearningRates.Length} lrs {g.LearningRates[0]:G3}..{g.LearningRates[^1]:G3}, extended up to {s.MaxLrExtensions} steps at an edge optimum; {g.Replicates} replicates; {g.Steps} steps; wd {g.WeightDecay:G3}; test loss on {test}; diverged runs count 100");
    }

    private static string[] Deviations(BatchSweepGrid g, BatchSweepSummary s, int[] batches)
    {
        var paper = BatchSweepGrid.Paper();
        var d = new List<string> { "Fashion-MNIST instead of MNIST (Debian ships no MNIST)" };
        var inv = CultureInfo.InvariantCulture;
        if (!batches.SequenceEqual(paper.BatchSizes)) d.Add($"batch sizes {string.Join(",", batches)} instead of 2^1..2^12");
        if (!g.LearningRates.SequenceEqual(paper.LearningRates)) d.Add(string.Create(inv, $"{g.LearningRates.Length} lrs {g.LearningRates[0]:G3}..{g.LearningRates[^1]:G3} instead of 20 from 1e-4 to 1"));
        if (s.Results.Any(r => r.Extensions > 0)) d.Add($"lr grid extended for {s.Results.Count(r => r.Extensions > 0)} (optimizer, batch) pairs whose optimum was at an edge");
        if (g.Replicates != paper.Replicates) d.Add($"{g.Replicates} replicates instead of 3");
        if (g.Steps != paper.Steps) d.Add($"{g.Steps} steps instead of 400");
        if (g.EvalSamples != 0) d.Add($"test loss on {g.EvalSamples} of the 10,000 test images");
        if (!g.WeightDecay.Equals(paper.WeightDecay)) d.Add(string.Create(inv, $"weight decay {g.WeightDecay:G3} instead of 1e-2"));
        return d.ToArray();
    }
}
