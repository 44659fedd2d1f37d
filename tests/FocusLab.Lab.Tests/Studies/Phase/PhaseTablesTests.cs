using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.Phase;
using FocusLab.Lab.Tests.Reports;

namespace FocusLab.Lab.Tests.Studies.Phase;

/// <summary>The phase study's σc tables, rebuilt from the values of committed rows, are the committed text byte for byte.</summary>
public class PhaseTablesTests
{
    [Fact]
    public void SigmaCRowsAreTheCommittedText()
    {
        SigmaCRow[] sharpness = [new(0, 0.1, 0.3095494127075306), new(1, 0.11018063301098223, 0.31940920683577007)];
        Assert.Equal(CommittedTables.Lines("phase-s3-lion/sigma_c.csv", 1, 2), CsvTable.ToText(sharpness, rename: new Dictionary<string, string> { ["x"] = "a" }));
        SigmaCRow[] weightDecay = [new(0, 0, null), new(1, 0.005263157894736842, null)];
        Assert.Equal(CommittedTables.Lines("phase-paper-wd/sigma_c.csv", 1, 2), CsvTable.ToText(weightDecay, rename: new Dictionary<string, string> { ["x"] = "weight_decay" }));
    }
}
