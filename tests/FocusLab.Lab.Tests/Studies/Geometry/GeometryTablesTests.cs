using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Geometry;
using FocusLab.Lab.Studies.Rotation;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Geometry;

/// <summary>The geometry study's tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class GeometryTablesTests
{
    [Fact]
    public void RunRowsAreTheCommittedText()
    {
        var unmeasured = new GeometryRun("sgd", "sgd:lr=0.03", "original", 1, 0.03, false, [3.5], 3.1425473570823668, null);
        var measure = new GeometryMeasure(100, 2.858689308166504, 5.3291078367943205, 5.356010931320791, 90.40646982095602, [], [], 21.350061182738358, true);
        var measured = new GeometryRun("sgd", "sgd:lr=0.1", "original", 1, 0.1, true, [3.0], 2.974409306049347, measure);
        Assert.Equal(CommittedTables.Lines("geometry-gpt/geometry_gpt.csv", 1, 4),
            CsvTable.ToText([GeometryRunRow.Of("gpt", unmeasured), GeometryRunRow.Of("gpt", measured)]));
        var diverged = CsvTable.ToText([GeometryRunRow.Of("gpt", unmeasured with { FinalLoss = double.NaN })]);
        Assert.EndsWith(",false,diverged,,,,,\n", diverged);
    }

    [Fact]
    public void MeasuresRowIsTheCommittedText()
    {
        var row = new GeometryMeasuresRow("gpt", "sgd", "original", 0.1, 3, 2.9815782229105636, 0.015146033028670075, 5.386388010273173, 0.052923831771460386,
            105.9607290897651, 13.768975181154927, 24.606155942868423, 2.906831320816513);
        Assert.Equal(CommittedTables.Lines("geometry-gpt/geometry_gpt_measures.csv", 1), CsvTable.ToText([row]));
        Assert.EndsWith(",3,,,,,,,,\n", CsvTable.ToText([row with
        {
            FinalLoss = double.NaN, FinalLossStd = double.NaN, L11IqrPerD = double.PositiveInfinity, L11IqrPerDStd = double.NaN,
            SpectralSmoothness = double.NaN, SpectralSmoothnessStd = double.NaN, LambdaMax = double.NaN, LambdaMaxStd = double.NaN,
        }]));
    }

    [Fact]
    public void CurveRowsAreTheCommittedText()
    {
        LossCurveBlockRow[] rows = [new("gpt", "sgd", "original", 0.1, 3, 15, 4.777495670318604, 0.0308796288194672), new("gpt", "sgd", "original", 0.1, 3, 30, 3.6087992615169946, 0.06206567815891561)];
        Assert.Equal(CommittedTables.Lines("geometry-gpt/geometry_gpt_curves.csv", 1, 2), CsvTable.ToText(rows));
    }
}
