namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Scoring of a complete phase sweep as the FOCUS paper: score = mean final loss over replicates
/// (+∞ if any replicate diverged: diverged runs are never mixed into means), minimised over
/// learning rates; each pixel goes to the optimizer with the lowest score (ties to the earlier
/// optimizer in the grid's list; no winner when every score is +∞).
/// Arrays are C order: Score[o, l, y, x], Best*[o, y, x], Winner[y, x].
/// </summary>
public sealed class PhaseScores
{
    public PhaseScores(SweepResult result)
    {
        if (!result.IsComplete) throw new ArgumentException("scoring needs the complete grid; merge all shards first (focuslab phase merge)");
        var g = result.Grid;
        Grid = g;
        int nO = g.NOpt, nL = g.NLr, nY = g.NY, nX = g.NX, nR = g.Replicates;
        Score = new double[nO * nL * nY * nX];
        MeanMinLoss = new double[Score.Length];
        MeanMaxU = new double[Score.Length];
        for (int o = 0; o < nO; o++)
            for (int l = 0; l < nL; l++)
                for (int y = 0; y < nY; y++)
                    for (int x = 0; x < nX; x++)
                    {
                        double sum = 0, sumMin = 0, sumU = 0;
                        long baseIdx = result.Index(o, l, y, x, 0);
                        for (int r = 0; r < nR; r++)
                        {
                            sum += result.FinalLoss[baseIdx + r];
                            sumMin += result.MinLoss[baseIdx + r];
                            sumU += result.MaxU[baseIdx + r];
                        }
                        int i = ((o * nL + l) * nY + y) * nX + x;
                        // A +∞ (diverged) replicate makes the sum +∞; NaN cannot occur (diverged runs are stored as +∞).
                        Score[i] = sum / nR; MeanMinLoss[i] = sumMin / nR; MeanMaxU[i] = sumU / nR;
                    }
        DivergedRuns = result.DivergedRuns;
        (Best, BestLrIndex, Winner) = Reduce(Score, nO, nL, nY, nX);
        BestMinLoss = new double[Best.Length]; BestMaxU = new double[Best.Length];
        for (int o = 0; o < nO; o++)
            for (int y = 0; y < nY; y++)
                for (int x = 0; x < nX; x++)
                {
                    int b = (o * nY + y) * nX + x, l = BestLrIndex[b];
                    int i = ((o * nL + Math.Max(l, 0)) * nY + y) * nX + x;
                    BestMinLoss[b] = l < 0 ? double.NaN : MeanMinLoss[i];
                    BestMaxU[b] = l < 0 ? double.NaN : MeanMaxU[i];
                }
        SigmaC = CriticalNoise(g, Best, "adam", "signum");
    }

    public SweepGrid Grid { get; }
    public double[] Score { get; }
    public double[] MeanMinLoss { get; }
    public double[] MeanMaxU { get; }
    /// <summary>min over learning rates of Score, [o, y, x].</summary>
    public double[] Best { get; }
    /// <summary>argmin learning-rate index per [o, y, x] (first on ties), −1 when every lr diverged.</summary>
    public int[] BestLrIndex { get; }
    /// <summary>Mean minimum loss and mean max u at the best learning rate, [o, y, x].</summary>
    public double[] BestMinLoss { get; }
    public double[] BestMaxU { get; }
    /// <summary>Index of the winning optimizer per [y, x], −1 when all diverged.</summary>
    public int[] Winner { get; }
    /// <summary>σc per x: where signum overtakes adam; null when it does not within the σ range (or either is missing).</summary>
    public double?[] SigmaC { get; }
    public long DivergedRuns { get; }

    public double BestAt(int o, int y, int x) => Best[(o * Grid.NY + y) * Grid.NX + x];
    public int WinnerAt(int y, int x) => Winner[y * Grid.NX + x];
    public string? WinnerId(int y, int x) => WinnerAt(y, x) is var w and >= 0 ? Grid.Optimizers[w].Id : null;

    /// <summary>Min over lr and argmin over optimizers, exposed for tests on hand-made score arrays.</summary>
    public static (double[] Best, int[] BestLr, int[] Winner) Reduce(double[] score, int nO, int nL, int nY, int nX)
    {
        var best = new double[nO * nY * nX]; var bestLr = new int[best.Length]; var winner = new int[nY * nX];
        for (int o = 0; o < nO; o++)
            for (int y = 0; y < nY; y++)
                for (int x = 0; x < nX; x++)
                {
                    double b = double.PositiveInfinity; int arg = -1;
                    for (int l = 0; l < nL; l++)
                    {
                        double s = score[((o * nL + l) * nY + y) * nX + x];
                        if (s < b) { b = s; arg = l; } // NaN and +∞ never win
                    }
                    best[(o * nY + y) * nX + x] = b; bestLr[(o * nY + y) * nX + x] = arg;
                }
        for (int y = 0; y < nY; y++)
            for (int x = 0; x < nX; x++)
            {
                double b = double.PositiveInfinity; int arg = -1;
                for (int o = 0; o < nO; o++) { double s = best[(o * nY + y) * nX + x]; if (s < b) { b = s; arg = o; } }
                winner[y * nX + x] = arg;
            }
        return (best, bestLr, winner);
    }

    /// <summary>
    /// Critical noise per x column: scanning σ upward, the crossing after the last σ at which
    /// <paramref name="baseline"/> (adam) still scores at least as well as <paramref name="challenger"/>
    /// (signum), linearly interpolated in the score difference. σ₀ when the challenger wins everywhere,
    /// null when the baseline still wins at the largest σ.
    /// </summary>
    public static double?[] CriticalNoise(SweepGrid g, double[] best, string baseline, string challenger)
    {
        int ib = Array.FindIndex(g.Optimizers, o => o.Id == baseline), ic = Array.FindIndex(g.Optimizers, o => o.Id == challenger);
        var result = new double?[g.NX];
        if (ib < 0 || ic < 0) return result;
        for (int x = 0; x < g.NX; x++)
        {
            double D(int y) => best[(ic * g.NY + y) * g.NX + x] - best[(ib * g.NY + y) * g.NX + x];
            int last = -1;
            for (int y = 0; y < g.NY; y++) if (!(D(y) < 0)) last = y; // NaN (both diverged) counts as not overtaken
            if (last == g.NY - 1) { result[x] = null; continue; }
            if (last < 0) { result[x] = g.SigmaValues[0]; continue; }
            double d0 = D(last), d1 = D(last + 1), s0 = g.SigmaValues[last], s1 = g.SigmaValues[last + 1];
            result[x] = double.IsFinite(d0) && double.IsFinite(d1) && d0 - d1 > 0 ? s0 + (s1 - s0) * d0 / (d0 - d1) : s1;
        }
        return result;
    }
}
