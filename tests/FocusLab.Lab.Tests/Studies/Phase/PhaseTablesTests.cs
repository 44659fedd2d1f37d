using System.Globalization;
using FocusLab.Lab.Landscapes;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Phase;
using FocusLab.Lab.Sweeps;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Phase;

/// <summary>
/// The phase tables: σc rows rebuilt from committed values are the committed text byte for byte, and every cell of
/// winners.csv is the score it stands for, written by the phase convention ("inf" for a diverged optimizer, empty for
/// nothing measured, the round-trip number otherwise).
/// </summary>
public class PhaseTablesTests
{
    private static string Num(double v) => double.IsPositiveInfinity(v) ? "inf" : double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public void SigmaCRowsAreTheCommittedText()
    {
        SigmaCRow[] sharpness = [new(0, 0.1, 0.3095494127075306), new(1, 0.11018063301098223, 0.31940920683577007)];
        Assert.Equal(CommittedTables.Lines("phase-s3-lion/sigma_c.csv", 1, 2), CsvTable.ToText(sharpness, rename: new Dictionary<string, string> { ["x"] = "a" }));
        SigmaCRow[] weightDecay = [new(0, 0, null), new(1, 0.005263157894736842, null)];
        Assert.Equal(CommittedTables.Lines("phase-paper-wd/sigma_c.csv", 1, 2), CsvTable.ToText(weightDecay, rename: new Dictionary<string, string> { ["x"] = "weight_decay" }));
    }

    [Fact]
    public void EveryWinnersCellIsItsScore()
    {
        var grid = PhasePresets.Build("quick", PhaseAxis.Sharpness, ValleyKind.Valley2D) with
        {
            XValues = SweepGrid.Logspace(-1, 1, 3), SigmaValues = SweepGrid.Linspace(0, 3, 2), LearningRates = [0.003, 3], Replicates = 2, Steps = 40,
        };
        var s = new PhaseScores(SweepEngine.Run(grid));
        var table = CsvTable.Parse(PhaseReport.WinnersCsv(s));
        Assert.Equal(grid.NY * grid.NX, table.Rows.Count);
        Assert.Equal(5 + 2 * grid.NOpt, table.Header.Length);
        Assert.Equal("a", table.Header[3]);
        int k = 0;
        for (int y = 0; y < grid.NY; y++)
            for (int x = 0; x < grid.NX; x++, k++)
            {
                var row = table.Rows[k];
                var expected = new List<string> { y.ToString(CultureInfo.InvariantCulture), x.ToString(CultureInfo.InvariantCulture), Num(grid.SigmaValues[y]), Num(grid.XValues[x]), s.WinnerId(y, x) ?? "" };
                for (int o = 0; o < grid.NOpt; o++)
                {
                    int b = (o * grid.NY + y) * grid.NX + x, l = s.BestLrIndex[b];
                    expected.Add(Num(s.Best[b]));
                    expected.Add(l < 0 ? "" : Num(grid.LearningRates[l]));
                }
                Assert.Equal(expected, row);
            }
        var sigma = CsvTable.Parse(PhaseReport.SigmaCCsv(s));
        Assert.Equal(["x_index", "a", "sigma_c"], sigma.Header);
        Assert.Equal(s.SigmaC.Select(v => v is { } c ? Num(c) : ""), sigma.Rows.Select(r => r[2]));
    }
}
