using ScottPlot;

namespace FocusLab.Lab.Reports;

/// <summary>Colours: the FOCUS paper's optimizer colours (adam orange, signum yellow, focus blue), the grey of "no data", and the light grey ramp that shades loss landscapes.</summary>
public static class Palette
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
