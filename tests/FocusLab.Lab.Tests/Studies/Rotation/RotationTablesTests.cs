using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Rotation;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Rotation;

/// <summary>The rotation study's tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class RotationTablesTests
{
    [Fact]
    public void RunRowsAreTheCommittedText()
    {
        var unmeasured = new NetworkRotationRun("adam", "adam:lr=0.0006", false, 1, [3.5], 3.299601340293884, [], 0.0006, false);
        var checkpoint = new NetworkRotationCheckpoint(400, 2.7312569618225098, 10.833528235644268, 11.058055284803526, 0.2776801836348979);
        var measured = new NetworkRotationRun("adam", "adam:lr=0.002", false, 1, [3.0], 2.8364300608634947, [checkpoint], 0.002, true);
        Assert.Equal(CommittedTables.Lines("rotation-gpt/rotation_gpt.csv", 1, 4),
            CsvTable.ToText(RotationRunRow.Of("gpt", unmeasured).Concat(RotationRunRow.Of("gpt", measured))));
        Assert.Equal(2, RotationRunRow.Of("gpt", measured with { Checkpoints = [checkpoint, checkpoint with { Step = 800 }] }).Count());
    }

    [Fact]
    public void CurveRowIsTheCommittedText()
    {
        var row = new LossCurveBlockRow("mlp", "adam", "original", 0.003, 3, 50, 1.064457230170568, 0.020622288455903175);
        Assert.Equal(CommittedTables.Lines("rotation-mlp/rotation_mlp_curves.csv", 1), CsvTable.ToText([row]));
    }

    [Fact]
    public void QuadraticRowWithItsPerOptimizerColumnsIsTheCommittedText()
    {
        OptimizerOutcome Outcome(string name, double lr, double loss) => new(name, lr, loss, [], [], []);
        var row = new RotationRow("s=0", 0, 0.14823694507826735, 0.1479160345717696, 0.14842718738636643, 0.07853981633974483, 1, 1.0000000000000004, true, 6.820676281923368,
            [Outcome("adam", 0.1778279410038923, 2.291553266711426E-09), Outcome("adasgd", 1, 9.116837048143601E-06), Outcome("sgd", 1.7782794100389228, 0.004881950081116679)]);
        string text = CsvTable.ToText([QuadraticRotationRow.Of(row)], QuadraticRotationRow.OutcomeColumns(new QuadraticRotationOptions().Optimizers));
        Assert.Equal(CommittedTables.Lines("rotation-quadratic/rotation_quadratic.csv", 1), text);
        Assert.StartsWith("random,,", CsvTable.ToText([QuadraticRotationRow.Of(row with { Rotation = "random", Scale = null })],
            QuadraticRotationRow.OutcomeColumns(new QuadraticRotationOptions().Optimizers)).Split('\n')[1]);
    }
}
