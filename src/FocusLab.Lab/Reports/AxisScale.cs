using System.Globalization;

namespace FocusLab.Lab.Reports;

/// <summary>Maps data values to pixels on a linear or base-10 log axis, with "nice" tick values.</summary>
public sealed class AxisScale
{
    public AxisScale(double min, double max, double pixelFrom, double pixelTo, bool log)
    {
        if (log && !(min > 0)) throw new ArgumentException("log axis needs positive values");
        if (min == max) { min = log ? min / 2 : min - 1; max = log ? max * 2 : max + 1; }
        Min = min; Max = max; From = pixelFrom; To = pixelTo; Log = log;
    }

    public double Min { get; }
    public double Max { get; }
    public double From { get; }
    public double To { get; }
    public bool Log { get; }

    public double this[double v]
    {
        get
        {
            double t = Log ? (Math.Log10(v) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)) : (v - Min) / (Max - Min);
            return From + t * (To - From);
        }
    }

    public IEnumerable<double> Ticks()
    {
        if (Log)
        {
            for (int e = (int)Math.Ceiling(Math.Log10(Min) - 1e-9); e <= (int)Math.Floor(Math.Log10(Max) + 1e-9); e++) yield return Math.Pow(10, e);
            yield break;
        }
        double span = Max - Min, raw = span / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        for (double v = Math.Ceiling(Min / step - 1e-9) * step; v <= Max + 1e-9 * span; v += step) yield return Math.Abs(v) < 1e-12 * span ? 0 : v;
    }

    public static string Label(double v) =>
        v == 0 ? "0" : Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-3 ? v.ToString("0.#e0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>True when the positive values are (nearly) geometrically spaced, as logspace grids are.</summary>
    public static bool LooksLogSpaced(IReadOnlyList<double> v)
    {
        if (v.Count < 3 || v.Any(x => !(x > 0))) return false;
        double r = v[1] / v[0];
        return r > 1.0001 && Enumerable.Range(1, v.Count - 1).All(i => Math.Abs(v[i] / v[i - 1] / r - 1) < 1e-6);
    }
}
