using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace FocusLab.Lab.Reports;

/// <summary>
/// Base-10 log axes on ScottPlot, whose axes are linear: a figure plots log₁₀(value) and this gives the axis
/// ticks labelled with the values themselves (decades, plus 2× and 5× marks when the range spans less than
/// two decades, and unlabelled minor ticks at 2…9 × 10ᵏ). Also the one number format of tick and legend labels.
/// </summary>
internal static class LogAxis
{
    /// <summary>log₁₀(v), or NaN where v is not positive and finite (such points leave a gap).</summary>
    public static double ToLog(double v) => v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.NaN;

    /// <summary>
    /// Puts value-labelled ticks on <paramref name="axis"/> for data spanning log₁₀ range [lo, hi]; ticks are
    /// generated a decade beyond both ends so the margins ScottPlot adds are covered too.
    /// </summary>
    public static void Apply(IAxis axis, double lo, double hi)
    {
        ArgumentNullException.ThrowIfNull(axis);
        var ticks = new NumericManual();
        foreach (var (at, label) in MajorTicks(lo, hi)) ticks.AddMajor(at, label);
        foreach (double at in MinorTicks(lo, hi)) ticks.AddMinor(at);
        axis.TickGenerator = ticks;
    }

    /// <summary>Labelled tick positions (log₁₀ units) for data spanning [lo, hi].</summary>
    public static IReadOnlyList<(double At, string Label)> MajorTicks(double lo, double hi)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) return [];
        if (hi < lo) (lo, hi) = (hi, lo);
        double[] mantissas = hi - lo < 2 ? [1, 2, 5] : [1];
        var ticks = new List<(double, string)>();
        for (int e = (int)Math.Floor(lo) - 1; e <= (int)Math.Ceiling(hi) + 1; e++)
            foreach (double m in mantissas)
                ticks.Add((Math.Log10(m) + e, Label(m * Math.Pow(10, e))));
        // A range inside one 1-2-5 step would show no labelled tick: label its ends instead.
        if (ticks.Count(t => t.Item1 >= lo - 1e-9 && t.Item1 <= hi + 1e-9) < 2 && hi > lo)
        {
            ticks.RemoveAll(t => t.Item1 > lo - 1e-9 && t.Item1 < hi + 1e-9);
            ticks.Add((lo, Label(Math.Pow(10, lo), 3)));
            ticks.Add((hi, Label(Math.Pow(10, hi), 3)));
        }
        return ticks.OrderBy(t => t.Item1).ToArray();
    }

    /// <summary>Unlabelled ticks at 2…9 × 10ᵏ (log₁₀ units).</summary>
    public static IEnumerable<double> MinorTicks(double lo, double hi)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) yield break;
        if (hi < lo) (lo, hi) = (hi, lo);
        for (int e = (int)Math.Floor(lo) - 1; e <= (int)Math.Ceiling(hi) + 1; e++)
            for (int k = 2; k <= 9; k++)
                yield return Math.Log10(k) + e;
    }

    /// <summary>A short label for a tick or legend value: "0.01", "250", "1e-4", "2.5e5".</summary>
    public static string Label(double v) => Label(v, 0);

    /// <summary>As <see cref="Label(double)"/>, with at least <paramref name="significant"/> significant digits.</summary>
    public static string Label(double v, int significant)
    {
        var inv = CultureInfo.InvariantCulture;
        if (v == 0) return "0";
        if (significant > 0) return v.ToString("G" + significant, inv).Replace("E+0", "e", StringComparison.Ordinal).Replace("E-0", "e-", StringComparison.Ordinal).Replace("E", "e", StringComparison.Ordinal);
        return Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-3 ? v.ToString("0.#e0", inv) : v.ToString("0.###", inv);
    }

    /// <summary>A linear-axis tick label: at most 10 significant digits, exponent form beyond 1e5 or below 1e-4.</summary>
    public static string TickLabel(double v)
    {
        var inv = CultureInfo.InvariantCulture;
        if (v == 0) return "0";
        double rounded = double.Parse(v.ToString("G10", inv), inv);
        if (Math.Abs(rounded) >= 1e5 || Math.Abs(rounded) < 1e-4) return rounded.ToString("0.###e0", inv);
        return rounded.ToString("0.##########", inv);
    }

    /// <summary>True when the positive values are (nearly) geometrically spaced, as logspace grids are.</summary>
    public static bool LooksLogSpaced(IReadOnlyList<double> v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Count < 3 || v.Any(x => !(x > 0))) return false;
        double r = v[1] / v[0];
        return r > 1.0001 && Enumerable.Range(1, v.Count - 1).All(i => Math.Abs(v[i] / v[i - 1] / r - 1) < 1e-6);
    }
}
