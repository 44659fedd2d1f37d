using System.Globalization;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Sharpness;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Sharpness;

/// <summary>The sharpness study's tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class SharpnessTablesTests
{
    private static SharpnessMeasurement Sgd(double[] steps, double[] losses) => new("sgd", 0.7160588545944377, 0.7160588545944377, false, 1, -0.05903486487493976,
        0.0026268959045410156, 0.08946385452436524, 0.08244415175673792, true, steps, losses, 0, 0.16488830351347583, false);

    private static SharpnessCheckpoint Checkpoint(SharpnessMeasurement m, GaussNewtonResult? g = null) =>
        new("sgd", 1, 100, 0.5354675903916359, 0.5109108090400696, 0.5979462211727831, [m], g);

    [Fact]
    public void DirectionRowIsTheCommittedText()
    {
        var c = Checkpoint(Sgd([], []));
        Assert.Equal(CommittedTables.Lines("sharpness-mlp/sharpness_mlp.csv", 1), CsvTable.ToText([SharpnessRow.Of("mlp", c, c.Rows[0])]));
    }

    [Fact]
    public void LineSearchRowIsTheCommittedText()
    {
        // The committed row's own step and loss lists, parsed back, are written again.
        string expected = CommittedTables.Lines("sharpness-mlp/sharpness_mlp_linesearch.csv", 1);
        var fields = CsvTable.Parse(expected).Rows[0];
        double[] List(string s) => s.Split(';').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var c = Checkpoint(Sgd(List(fields[13]), List(fields[14])));
        Assert.Equal(expected, CsvTable.ToText([LineSearchRow.Of("mlp", c, c.Rows[0])]));
    }

    [Fact]
    public void GaussNewtonRowIsTheCommittedText()
    {
        var cut = new GaussNewtonCut("row norm ‖G e_i‖", "all parameters", 170666, 4, 0.0910610223722689, 2.8027395711336065, 0.3642440894890756, 4658,
            0.02729307536357564, 15.495140244343155, 2.6944694228666477, true);
        var g = new GaussNewtonResult(32, 10, 170666, 41.751181591413065, true, cut, cut, 21.6213);
        var c = Checkpoint(Sgd([], []), g);
        Assert.Equal(CommittedTables.Lines("sharpness-mlp/sharpness_mlp_gauss_newton.csv", 1), CsvTable.ToText([GaussNewtonRow.Of("mlp", c, g, cut)]));
    }
}
