using System.Globalization;

namespace FocusLab.Cli.Terminal;

/// <summary>Numbers as people read them on a terminal: step counts as 2.9e10, times as 17 s or 3 min 5 s, booleans as words.</summary>
internal static class HumanUnits
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A count: exact below 100 000, else two significant decimals and a power of ten (2.9e10).</summary>
    public static string Count(double n)
    {
        if (!double.IsFinite(n)) return n.ToString(Inv);
        if (Math.Abs(n) < 100_000) return Math.Round(n).ToString("0", Inv);
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(n)));
        double mantissa = Math.Round(n / Math.Pow(10, exponent), 2);
        if (Math.Abs(mantissa) >= 10) { mantissa /= 10; exponent++; }
        return mantissa.ToString("0.##", Inv) + "e" + exponent.ToString(Inv);
    }

    /// <summary>A duration: 0.42 s, 17 s, 3 min 5 s, 2 h 4 min.</summary>
    public static string Seconds(double s)
    {
        if (!double.IsFinite(s) || s < 0) return "? s";
        if (s < 10) return s.ToString("0.##", Inv) + " s";
        if (s < 60) return Math.Round(s).ToString("0", Inv) + " s";
        long whole = (long)Math.Round(s);
        if (whole < 3600) return $"{whole / 60} min {whole % 60} s";
        return $"{whole / 3600} h {whole % 3600 / 60} min";
    }

    /// <summary>yes / no.</summary>
    public static string YesNo(bool value) => value ? "yes" : "no";
}
