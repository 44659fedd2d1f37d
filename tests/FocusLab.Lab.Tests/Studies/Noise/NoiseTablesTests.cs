using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Noise;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Noise;

/// <summary>The noise study's tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class NoiseTablesTests
{
    [Fact]
    public void BatchSummaryRowIsTheCommittedText()
    {
        var r = new OptimizerAtBatch("adamw", 1, 0.001, 1, 2.9915601859490075, 0.043664654058295824, [], null, 0, new double[4], new double[4], 1, false, false);
        Assert.Equal(CommittedTables.Lines("lm-noise-default/batch_summary.csv", 1), CsvTable.ToText([NoiseBatchSummaryRow.Of(r)]));
    }

    [Fact]
    public void NoiseRowIsTheCommittedText()
    {
        var n = new GradientNoise(1, 64, 119104, 8.109390955578709, 3.513135822029268, 0.5, 0.06683599611469936, 52.563529030079316, 52.563529030079316);
        Assert.Equal(CommittedTables.Lines("lm-noise-default/noise.csv", 1), CsvTable.ToText([NoiseRow.Of("own adamw run", n)]));
        Assert.EndsWith(",,\n", CsvTable.ToText([NoiseRow.Of("x", n with { NoiseToSignal = null, SimpleNoiseScale = null })]));
    }
}
