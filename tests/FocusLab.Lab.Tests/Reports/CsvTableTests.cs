using System.Globalization;
using FocusLab.Lab.Reports;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Phase;
using FocusLab.Lab.Studies.Race;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Lab.Tests.Reports;

public class CsvTableTests
{
    private static Improvement Imp(double i, double mean = 0.5) => new("signum", 8, i, mean, 0.25, -1e-9, 2.5e20, true, false);

    [Fact]
    public void HeaderComesFromTheColumnAttributesInDeclarationOrder()
    {
        Assert.Equal("optimizer,batch,improvement,replicate_mean,replicate_std,replicate_min,replicate_max,larger_than_spread,edge_optimum\n",
            CsvTable.ToText(Array.Empty<Improvement>()));
        Assert.Equal(["optimizer", "batch", "improvement", "replicate_mean", "replicate_std", "replicate_min", "replicate_max", "larger_than_spread", "edge_optimum"],
            CsvTable.ColumnNames<Improvement>());
    }

    [Fact]
    public void NumbersAreRoundTripInvariantTextWhateverTheCurrentCulture()
    {
        // The machine runs with invariant globalization, so "de-DE" is built by hand: decimal comma, '.' grouping.
        var german = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        german.NumberFormat.NumberDecimalSeparator = ",";
        german.NumberFormat.NumberGroupSeparator = ".";
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = german;
            Assert.Equal("0,5", 0.5.ToString()); // the culture is in effect
            Assert.Equal("signum,8,0.1,0.5,0.25,-1E-09,2.5E+20,True,False\n", CsvTable.ToText([Imp(0.1)]).Split('\n', 2)[1]);
        }
        finally { CultureInfo.CurrentCulture = before; }
    }

    [Fact]
    public void NonFiniteNumbersAreWrittenAsNaNAndInfinity()
    {
        var rows = CsvTable.Parse(CsvTable.ToText([Imp(double.NaN, double.PositiveInfinity), Imp(double.NegativeInfinity)])).Rows;
        Assert.Equal(["NaN", "Infinity"], rows[0][2..4]);
        Assert.Equal("-Infinity", rows[1][2]);
    }

    [Fact]
    public void ConvertersWriteTheirOwnFormats()
    {
        var run = new RaceRunRow("main/s3/seed1", "s3", "main", 1, 0.001, 80, null, true, 42, 3.14159, 10995.6, 0, "s3:lr=0.001");
        Assert.Equal("main/s3/seed1,s3,main,1,0.001,80,,True,42,3.14,10996,0,s3:lr=0.001", CsvTable.ToText([run]).Split('\n')[1]);
        var sigma = new[] { new SigmaCRow(0, 0.5, double.PositiveInfinity), new SigmaCRow(1, double.NaN, null) };
        Assert.Equal("x_index,a,sigma_c\n0,0.5,inf\n1,,\n", CsvTable.ToText(sigma, rename: new Dictionary<string, string> { ["x"] = "a" }));
    }

    [Fact]
    public void AFieldWithACommaOrAQuoteIsQuotedAndReadsBack()
    {
        var run = new RaceRunRow("a", "adamw", "main", 1, 0.001, 80, 2.5, false, null, 1, 1, 0, "adamw:lr=0.001,beta1=\"0.9\"");
        string text = CsvTable.ToText([run]);
        Assert.EndsWith(",\"adamw:lr=0.001,beta1=\"\"0.9\"\"\"\n", text);
        Assert.Equal(run.Spec, CsvTable.Parse(text).Rows[0][^1]);
        Assert.Contains("<td>adamw:lr=0.001,beta1=&quot;0.9&quot;</td>", StudyOutput.CsvTable(text));
    }

    [Fact]
    public void ARecordTypeCanSpellItsBooleansInLowerCase()
    {
        var row = new LineSearchRow("mlp", "sgd", 1, 10, "adam", 1.5, 0.1, 0, 0.2, 0.1, 0.01, true, false, [0, 0.05], [1.5, 1.25]);
        Assert.Equal("mlp,sgd,1,10,adam,1.5,0.1,0,0.2,0.1,0.01,true,false,0;0.05,1.5;1.25", CsvTable.ToText([row]).Split('\n')[1]);
    }

    [Fact]
    public void ExtraColumnsFollowTheRecordsOwnAndMustMatchTheirNames()
    {
        var extra = new CsvExtraColumns<Improvement>(["p", "q"], i => [i.I, i.I * 2], new CsvFormats.RoundTrip());
        Assert.Equal(["optimizer", "batch", "improvement", "replicate_mean", "replicate_std", "replicate_min", "replicate_max", "larger_than_spread", "edge_optimum", "p", "q"],
            CsvTable.Parse(CsvTable.ToText([Imp(0.25)], extra)).Header);
        Assert.EndsWith(",0.25,0.5\n", CsvTable.ToText([Imp(0.25)], extra));
        var phase = new CsvExtraColumns<Improvement>(["best", "lr"], i => [double.PositiveInfinity, double.NaN], new CsvFormats.InfOrBlank());
        Assert.EndsWith(",inf,\n", CsvTable.ToText([Imp(0.25)], phase)); // the phase convention for a diverged score and no lr
        var wrong = new CsvExtraColumns<Improvement>(["p", "q"], i => [i.I], new CsvFormats.RoundTrip());
        Assert.Contains("1 extra values for 2 extra columns", Assert.Throws<ArgumentException>(() => CsvTable.ToText([Imp(0.25)], wrong)).Message);
        Assert.Contains("no column 'nope'", Assert.Throws<ArgumentException>(() => CsvTable.ToText([Imp(0.25)], rename: new Dictionary<string, string> { ["nope"] = "x" })).Message);
    }

    [Fact]
    public void WriteIsAtomicAndWritesTheSameBytesAsToText()
    {
        string dir = Path.Combine(Path.GetTempPath(), "focuslab-csvtable-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(dir, "sub", "improvement.csv");
            CsvTable.Write(path, [Imp(0.1), Imp(0.2)]);
            Assert.Equal(CsvTable.ToText([Imp(0.1), Imp(0.2)]), File.ReadAllText(path));
            Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left
            var bytes = File.ReadAllBytes(path);
            Assert.NotEqual(0xEF, bytes[0]); // no byte-order mark
            Assert.DoesNotContain((byte)'\r', bytes);
            // A failing row leaves the previous file in place, whole.
            var previous = File.ReadAllText(path);
            Assert.Throws<ArgumentException>(() => CsvTable.Write(path, new Improvement[] { Imp(0.3), null! }));
            Assert.Equal(previous, File.ReadAllText(path));
            Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void TextTablesAndFilesReadBackFieldByField()
    {
        string text = CsvTable.ToText(["name", "note"], [["a", "x, y"], ["b", "say \"hi\""]]);
        Assert.Equal("name,note\na,\"x, y\"\nb,\"say \"\"hi\"\"\"\n", text);
        var table = CsvTable.Parse(text);
        Assert.Equal(["name", "note"], table.Header);
        Assert.Equal(["b", "say \"hi\""], table.Rows[1]);
        Assert.Contains("No CSV file", Assert.Throws<FileNotFoundException>(() => CsvTable.Read("/nonexistent/t.csv")).Message);
    }
}
