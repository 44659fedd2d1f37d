using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>Sums accumulated in double (order fixed by the span, so results never depend on threading).</summary>
internal static class Reductions
{
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        var acc0 = Vector256<double>.Zero; var acc1 = Vector256<double>.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                var v = Vector256.Create(x.Slice(i, 8));
                var (lo, hi) = Vector256.Widen(v);
                acc0 += lo * lo; acc1 += hi * hi;
            }
        }
        double s = Vector256.Sum(acc0 + acc1);
        for (; i < x.Length; i++) s += (double)x[i] * x[i];
        return s;
    }
}
