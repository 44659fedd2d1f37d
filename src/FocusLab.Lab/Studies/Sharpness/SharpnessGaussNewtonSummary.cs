namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// Per trajectory and removal criterion: medians over checkpoints and seeds of the Gauss–Newton robust-smoothness
/// measurement (Pan &amp; Li, appendix D): ‖G‖, ‖G‖ on the kept coordinates, their ratio and the fraction removed.
/// </summary>
public sealed record SharpnessGaussNewtonSummary(string Trajectory, string Criterion, int Count, double MedianSpectralNorm, double MedianReducedSpectralNorm, double MedianRatio, double MedianFractionRemoved)
{
    /// <summary>One row per (trajectory, criterion), in checkpoint order.</summary>
    public static SharpnessGaussNewtonSummary[] Summarise(IReadOnlyList<SharpnessCheckpoint> checkpoints) =>
        checkpoints.Where(c => c.GaussNewton is not null).GroupBy(c => c.Trajectory).SelectMany(g =>
        {
            var m = g.Select(c => c.GaussNewton!).ToArray();
            return new[] { m.Select(x => x.RowNorm).ToArray(), m.Select(x => x.FactorNorm).ToArray() }.Select(cuts =>
                new SharpnessGaussNewtonSummary(g.Key, cuts[0].Criterion, m.Length, SharpnessStudy.Median(m.Select(x => x.SpectralNorm)), SharpnessStudy.Median(cuts.Select(x => x.ReducedSpectralNorm)),
                    SharpnessStudy.Median(cuts.Select(x => x.Ratio)), SharpnessStudy.Median(cuts.Select(x => x.FractionRemoved))));
        }).ToArray();
}
