namespace FocusLab.Lab.Sweeps;

/// <summary>Best learning rate per optimizer at one (a, σ, wd) point, scored as the phase diagrams: mean final loss over replicates.</summary>
public static class LearningRateSearch
{
    public static double[] Best(SweepGrid onePixel, int threads)
    {
        if (onePixel.NX != 1 || onePixel.NY != 1) throw new ArgumentException("learning-rate search needs a one-pixel grid");
        var scores = new PhaseScores(SweepEngine.Run(onePixel, new SweepOptions { Threads = threads }));
        return Enumerable.Range(0, onePixel.NOpt).Select(o =>
        {
            int l = scores.BestLrIndex[o];
            if (l < 0) throw new InvalidOperationException($"every learning rate diverged for {onePixel.Optimizers[o].Id}; lower --lr-max");
            return onePixel.LearningRates[l];
        }).ToArray();
    }
}
