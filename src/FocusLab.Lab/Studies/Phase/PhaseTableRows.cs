using CsvHelper;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Studies.Phase;

/// <summary>
/// A row of <c>winners.csv</c>: one pixel (σ, x) of the phase diagram and its winner; each optimizer's best score and
/// best lr follow as the extra columns <c>best_loss_{slug},best_lr_{slug}</c> (<see cref="OptimizerColumns"/>). The
/// x column is named after the swept axis (a, weight_decay, …). Scores are "inf" for a diverged optimizer and empty
/// where nothing was measured (<see cref="CsvFormats.InfOrBlank"/>).
/// </summary>
[CsvRecord]
internal sealed partial record PhaseWinnerRow(
    [property: CsvColumn("sigma_index")] int SigmaIndex,
    [property: CsvColumn("x_index")] int XIndex,
    [property: CsvColumn("sigma"), CsvConverter(typeof(CsvFormats.InfOrBlank))] double Sigma,
    [property: CsvColumn("x"), CsvConverter(typeof(CsvFormats.InfOrBlank))] double X,
    [property: CsvColumn("winner")] string Winner)
{
    /// <summary>Best score and best lr of each optimizer, in the order of <see cref="OptimizerColumns"/>.</summary>
    [CsvIgnore] public double[] PerOptimizer { get; init; } = [];


    /// <summary>One row per pixel, σ outer and x inner.</summary>
    public static IEnumerable<PhaseWinnerRow> Of(PhaseScores s)
    {
        var g = s.Grid;
        for (int y = 0; y < g.NY; y++)
            for (int x = 0; x < g.NX; x++)
            {
                var perOptimizer = new double[2 * g.NOpt];
                for (int o = 0; o < g.NOpt; o++)
                {
                    int b = (o * g.NY + y) * g.NX + x, l = s.BestLrIndex[b];
                    perOptimizer[2 * o] = s.Best[b];
                    perOptimizer[2 * o + 1] = l < 0 ? double.NaN : g.LearningRates[l];
                }
                yield return new PhaseWinnerRow(y, x, g.SigmaValues[y], g.XValues[x], s.WinnerId(y, x) ?? "") { PerOptimizer = perOptimizer };
            }
    }

    /// <summary>The per-optimizer columns, named by the optimizers' slugs.</summary>
    public static CsvExtraColumns<PhaseWinnerRow> OptimizerColumns(SweepGrid g) =>
        new(g.Optimizers.SelectMany(o => new[] { $"best_loss_{o.Slug}", $"best_lr_{o.Slug}" }).ToArray(), row => row.PerOptimizer, new CsvFormats.InfOrBlank());
}

/// <summary>
/// A row of <c>sigma_c.csv</c>: the critical noise σc at one value of the swept axis (the x column is named after it),
/// empty where no crossover was found.
/// </summary>
[CsvRecord]
internal sealed partial record SigmaCRow(
    [property: CsvColumn("x_index")] int XIndex,
    [property: CsvColumn("x"), CsvConverter(typeof(CsvFormats.InfOrBlank))] double X,
    [property: CsvColumn("sigma_c"), CsvConverter(typeof(CsvFormats.OptionalInfOrBlank))] double? SigmaC)
{
    /// <summary>One row per x value.</summary>
    public static IEnumerable<SigmaCRow> Of(PhaseScores s) =>
        Enumerable.Range(0, s.Grid.NX).Select(x => new SigmaCRow(x, s.Grid.XValues[x], s.SigmaC[x]));
}
