using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Race;

/// <summary>The race's tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class RaceTablesTests
{
    [Fact]
    public void SummaryRowsAreTheCommittedText()
    {
        RaceSummaryRow[] rows =
        [
            new("adamw", 0.003, 3, 1.804374282558759, 0.009168775527013503, 1, 0, 3, null, null, false, false, 0),
            new("signum", 0.00031622776601683794, 3, 1.916703961789608, 0.0034963955049868785, null, null, 0, -0.11232967923084895, 0.011547665211222049, true, false, 0),
        ];
        Assert.Equal(CommittedTables.Lines("lm-race-full/summary.csv", 1, 2), CsvTable.ToText(rows));
    }

    [Fact]
    public void RunRowsAreTheCommittedText()
    {
        var run = new RaceRun("tune/adamw/lr0.0003/seed1", "adamw", "tune", 1, 0.0003, "adamw:lr=0.0003,beta1=0.9,beta2=0.95,weight_decay=0.1", 200,
            2.855855956673622, false, null, 1680.4612, 122.2, [], [], []);
        Assert.Equal(CommittedTables.Lines("lm-race-full/runs.csv", 1), CsvTable.ToText([RaceRunRow.Of(run)]));
    }

    [Fact]
    public void TuningRowsAreTheCommittedText()
    {
        var tuning = new RaceTuning("adamw", [0.001, 0.0031622776601683794], [null, null], [3.3674999475479126, 3.2511945366859436], 0.0031622776601683794, null);
        Assert.Equal(CommittedTables.Lines("lm-race-quick3/tuning.csv", 1, 2), CsvTable.ToText(RaceTuningRow.Of(tuning)));
    }

    [Fact]
    public void SpikeTableWithoutSpikesIsTheCommittedHeader()
    {
        Assert.Equal(CommittedTables.Lines("lm-race-full/spikes.csv"), CsvTable.ToText(Array.Empty<RaceSpikeRow>()));
        var spike = new Spike(120, 3, 4.5, 2.25, 2.0, 0.5, null, 0.125);
        var run = new RaceRun("main/s3/seed1", "s3", "main", 1, 0.001, "s3:lr=0.001", 400, 2.5, false, null, 1, 1, [], [], [spike]);
        Assert.Equal("main/s3/seed1,s3,main,120,3,4.5,2.25,2,0.5,,0.125", CsvTable.ToText(RaceSpikeRow.Of(run)).Split('\n')[1]);
    }
}
