using ScottPlot;
using SkiaSharp;

namespace FocusLab.Lab.Reports;

/// <summary>
/// The one font every figure is drawn with: DejaVu Sans (regular and bold), cut down to the characters that
/// figure labels use and embedded in this assembly (Reports/Fonts, about 40 kB each; subset.sh rebuilds them).
/// SkiaSharp's fontconfig-free native build finds only fonts under /usr/share/fonts, and a bare Debian machine
/// has none there: text would silently vanish from every SVG and PNG. Using the embedded font everywhere also
/// makes the output identical on every machine, whatever fonts it has.
/// </summary>
internal static class PlotFont
{
    /// <summary>The family name figures ask ScottPlot for; it resolves only to the embedded typefaces.</summary>
    public const string Family = "FocusLab Sans";

    /// <summary>
    /// What an SVG viewer should fall back to when it lacks DejaVu Sans (the name Skia writes into each
    /// <c>font-family</c>): Verdana has nearly the same widths, and glyph positions are fixed in the file anyway.
    /// </summary>
    public const string SvgFallback = "Verdana, sans-serif";

    private static readonly Lazy<(SKTypeface Regular, SKTypeface Bold)> Typefaces = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The embedded regular typeface (registers the font with ScottPlot on first use).</summary>
    public static SKTypeface Regular => Typefaces.Value.Regular;

    /// <summary>The embedded bold typeface.</summary>
    public static SKTypeface Bold => Typefaces.Value.Bold;

    /// <summary>Makes every label of <paramref name="plot"/> (title, axes, ticks, legend) use the embedded font.</summary>
    public static void Apply(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        _ = Typefaces.Value;
        plot.Font.Set(Family);
        plot.Legend.FontName = Family;
        // Otherwise the legend looks for a system font that has each label's glyphs.
        plot.Legend.SetBestFontOnEachRender = false;
    }

    private static (SKTypeface, SKTypeface) Register()
    {
        var regular = Load("FocusLabSans.ttf");
        var bold = Load("FocusLabSans-Bold.ttf");
        Fonts.FontResolvers.Insert(0, new EmbeddedResolver(regular, bold));
        // Labels created later (colour bars, annotations) take the default family.
        Fonts.Default = Family;
        return (regular, bold);
    }

    private static SKTypeface Load(string file)
    {
        string name = $"FocusLab.Lab.Reports.Fonts.{file}";
        using var stream = typeof(PlotFont).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded font '{name}' is missing from FocusLab.Lab; rebuild the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"embedded font '{name}' could not be read by SkiaSharp.");
    }

    /// <summary>Answers only for <see cref="Family"/>, so ScottPlot's system-font lookup handles every other name.</summary>
    private sealed class EmbeddedResolver(SKTypeface regular, SKTypeface bold) : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold1, bool italic) =>
            fontName == Family ? (bold1 ? bold : regular) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            fontName == Family ? ((int)weight >= (int)FontWeight.SemiBold ? bold : regular) : null;
    }
}
