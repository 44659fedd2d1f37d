using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.BatchSize;

/// <summary>The batch sweep's tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class BatchSizeTablesTests
{
    [Fact]
    public void BatchSummaryRowIsTheCommittedText()
    {
        var r = new OptimizerAtBatch("adamw", 2, 0.0011288378916846883, 7, 2.1113127867380777, 0.08639597386766866, [2.0, 2.2], 0.2516, 2, new double[20],
            new double[20], 0, false, false);
        Assert.Equal(CommittedTables.Lines("batch-sweep-paper/batch_summary.csv", 1), CsvTable.ToText([BatchSummaryRow.Of(r)]));
        Assert.Equal("lower", BatchSummaryRow.Of(r with { AtLowerEdge = true }).Edge);
        Assert.Equal("upper", BatchSummaryRow.Of(r with { AtUpperEdge = true }).Edge);
    }

    [Fact]
    public void ImprovementRowsAreTheCommittedText()
    {
        Improvement[] rows =
        [
            new("signum", 2, 0.0013031731021176203, -0.0011557449803057506, 0.09543743727584066, -0.09661327229788043, 0.09426158955862941, false, false),
            new("signum", 4, 0.01931004129719331, 0.01929474400024869, 0.0014508373276760857, 0.017779503705754963, 0.02067120507118694, true, false),
        ];
        Assert.Equal(CommittedTables.Lines("batch-sweep-paper/improvement.csv", 1, 2), CsvTable.ToText(rows));
    }
}
