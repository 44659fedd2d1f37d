using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Tests.Reports;

public class StudyPageTests
{
    [Fact]
    public void Page_claims_and_csv_table_are_escaped_html()
    {
        var claims = new[] { new PaperClaim("a < b", true, "x & y"), new PaperClaim("c", false, "d") };
        string page = StudyOutput.HtmlPage("t <1>", PaperClaim.HtmlList(claims) + StudyOutput.CsvTable("h1,h2\n1,<2>\n"));
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("<title>t &lt;1&gt;</title>", page);
        Assert.Contains("<li><b>agrees</b>: a &lt; b — x &amp; y</li>", page);
        Assert.Contains("<li><b>disagrees</b>: c — d</li>", page);
        Assert.Contains("<tr><th>h1</th><th>h2</th></tr>", page);
        Assert.Contains("<tr><td>1</td><td>&lt;2&gt;</td></tr>", page);
        Assert.EndsWith("</body></html>\n", page);
        Assert.Equal("disagrees with the paper: c — d", claims[1].ToString());
    }
}
