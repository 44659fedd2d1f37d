using ScottPlot;

namespace FocusLab.Lab.Reports;

/// <summary>Colours: the FOCUS paper's optimizer colours (adam orange, signum yellow, focus blue), the grey of "no data", and the light grey ramp that shades loss landscapes.</summary>
internal static class Palette
{
    /// <summary>Cells with no value (every run diverged, or nothing measured).</summary>
    public const string None = "#BBBBBB";

    /// <summary>An optimizer's colour in every figure: adam orange, signum yellow, focus blue, anything else grey.</summary>
    public static string Optimizer(string id) => id switch
    {
        "adam" => "#F28522",
        "signum" => "#F5CF1D",
        "focus" => "#2B6CB0",
        _ => "#888888",
    };

    // Colours for optimizers other than the paper's three, handed out in the order a figure lists them.
    private static readonly string[] Others = ["#38A169", "#D53F8C", "#805AD5", "#00A3C4", "#9C4221", "#718096", "#2F855A", "#B7791F"];

    /// <summary>Colours for a figure's optimizers: the paper's three keep theirs (<see cref="Optimizer"/>), every other id (e.g. a spec <c>focus:gamma=0.4</c>) gets the next distinct colour in list order.</summary>
    public static string[] Optimizers(IReadOnlyList<string> ids)
    {
        int next = 0;
        return ids.Select(id => id is "adam" or "signum" or "focus" ? Optimizer(id) : Others[next++ % Others.Length]).ToArray();
    }

    /// <summary>Grey from dark (position 0) to nearly white (1), never black, so dark lines stay visible on the darkest shade.</summary>
    public static IColormap Shade { get; } = new ShadeColormap();

    private sealed class ShadeColormap : IColormap
    {
        public string Name => "shade";

        public Color GetColor(double position)
        {
            byte v = (byte)Math.Round(60 + 190 * Math.Clamp(double.IsFinite(position) ? position : 1, 0, 1));
            return new Color(v, v, v);
        }
    }
}
