namespace FocusLab.Lab.Studies;

/// <summary>
/// Per trajectory: medians over checkpoints and seeds of the Gauss–Newton robust-smoothness measurement
/// (Pan &amp; Li, appendix D): ‖G‖, ‖G‖ on the kept coordinates, their ratio and the fraction removed.
/// </summary>
public sealed record SharpnessGaussNewtonSummary(string Trajectory, int Count, double MedianSpectralNorm, double MedianReducedSpectralNorm, double MedianRatio, double MedianFractionRemoved)
{
    public static SharpnessGaussNewtonSummary[] Summarise(IReadOnlyList<SharpnessCheckpoint> checkpoints) =>
        checkpoints.Where(c => c.GaussNewton is not null).GroupBy(c => c.Trajectory).Select(g =>
        {
            var m = g.Select(c => c.GaussNewton!).ToArray();
            return new SharpnessGaussNewtonSummary(g.Key, m.Length, SharpnessStudy.Median(m.Select(x => x.SpectralNorm)), SharpnessStudy.Median(m.Select(x => x.ReducedSpectralNorm)),
                SharpnessStudy.Median(m.Select(x => x.Ratio)), SharpnessStudy.Median(m.Select(x => x.FractionRemoved)));
        }).ToArray();
}
