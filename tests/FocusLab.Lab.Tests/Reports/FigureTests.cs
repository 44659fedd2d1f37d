using System.Xml.Linq;
using FocusLab.Lab.Reports;
using SkiaSharp;
using static FocusLab.Lab.Tests.Reports.FigureAssert;

namespace FocusLab.Lab.Tests.Reports;

public class FigureTests
{
    private static Figure Chart(string title, double slope) =>
        new LineChart { Title = title }.Add("a", [(0, 0), (1, slope)]).ToFigure();

    [Fact]
    public void The_embedded_font_has_every_glyph_figure_labels_use_so_text_never_depends_on_installed_fonts()
    {
        Assert.Equal("DejaVu Sans", PlotFont.Regular.FamilyName);
        Assert.True(PlotFont.Bold.FontWeight >= (int)SKFontStyleWeight.Bold);
        using var font = new SKFont(PlotFont.Regular);
        foreach (string label in new[] { "σc θ₁ θ₂ ‖H‖₁,₁ / d", "uᵀHu/‖u‖² ÷ sgd's", "L(θ) − min L(θ + t·û)", "α β γ η λ ≈ ≤ ≥ × ½ … —" })
            Assert.DoesNotContain((ushort)0, font.GetGlyphs(label.Replace(" ", "")));
    }

    [Fact]
    public void Svg_output_inlines_safely_and_png_output_has_the_figure_size()
    {
        string a = Chart("first", 1).ToSvg(), b = Chart("second", 2).ToSvg();
        Assert.StartsWith("<svg", a);
        Assert.Equal("svg", XDocument.Parse(a).Root!.Name.LocalName);
        Assert.Contains("first", Texts(a));
        Assert.Contains("font-family=\"DejaVu Sans, Verdana, sans-serif\"", a);
        // Ids differ between figures, so two figures on one page never clip to each other's frame.
        var idsA = XDocument.Parse(a).Descendants().Select(e => e.Attribute("id")?.Value).OfType<string>().ToHashSet();
        var idsB = XDocument.Parse(b).Descendants().Select(e => e.Attribute("id")?.Value).OfType<string>().ToHashSet();
        Assert.NotEmpty(idsA);
        Assert.Empty(idsA.Intersect(idsB));
        Assert.All(idsA, id => Assert.Contains($"url(#{id})", a));
        // Same input, same bytes.
        Assert.Equal(a, Chart("first", 1).ToSvg());

        var figure = Chart("first", 1);
        using var bitmap = SKBitmap.Decode(figure.ToPng());
        Assert.Equal((figure.Width, figure.Height), (bitmap.Width, bitmap.Height));
        Assert.Contains(bitmap.Pixels, p => p != SKColors.White);
    }

    [Fact]
    public void Save_writes_svg_or_png_by_extension_and_refuses_anything_else()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"figure-test-{Guid.NewGuid():N}");
        try
        {
            var figure = Chart("saved", 1);
            figure.Save(Path.Combine(dir, "f.svg"));
            figure.Save(Path.Combine(dir, "f.png"));
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(dir, "f.svg")));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(dir, "f.png"))[..4]);
            Assert.Contains(".svg or .png", Assert.Throws<ArgumentException>(() => figure.Save(Path.Combine(dir, "f.pdf"))).Message);
            Assert.Equal(2, Directory.GetFiles(dir).Length); // no temporary files left
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
