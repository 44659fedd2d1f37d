namespace FocusLab.Lab.Reports;

/// <summary>Colours: the FOCUS paper's optimizer colours (adam orange, signum yellow, focus blue) and a viridis ramp.</summary>
public static class Palette
{
    public const string None = "#BBBBBB";

    public static string Optimizer(string id) => id switch
    {
        "adam" => "#F28522",
        "signum" => "#F5CF1D",
        "focus" => "#2B6CB0",
        _ => "#888888",
    };

    private static readonly (double T, int R, int G, int B)[] Viridis =
    [
        (0.0, 68, 1, 84), (0.25, 59, 82, 139), (0.5, 33, 145, 140), (0.75, 94, 201, 98), (1.0, 253, 231, 37),
    ];

    /// <summary>Grey level for t ∈ [0, 1] from dark (0) to nearly white (1).</summary>
    public static string Grey(double t)
    {
        int v = (int)Math.Round(60 + 190 * Math.Clamp(double.IsFinite(t) ? t : 1, 0, 1));
        return $"#{v:X2}{v:X2}{v:X2}";
    }

    /// <summary>Viridis colour at t ∈ [0, 1] (piecewise-linear through five anchor colours).</summary>
    public static string Ramp(double t)
    {
        if (!double.IsFinite(t)) return None;
        t = Math.Clamp(t, 0, 1);
        int i = Math.Min(Viridis.Length - 2, (int)(t * (Viridis.Length - 1)));
        var (t0, r0, g0, b0) = Viridis[i]; var (t1, r1, g1, b1) = Viridis[i + 1];
        double f = (t - t0) / (t1 - t0);
        return $"#{(int)Math.Round(r0 + f * (r1 - r0)):X2}{(int)Math.Round(g0 + f * (g1 - g0)):X2}{(int)Math.Round(b0 + f * (b1 - b0)):X2}";
    }
}
