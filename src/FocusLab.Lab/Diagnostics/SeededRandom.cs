namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// The deterministic random source of the diagnostics: <see cref="Random(int)"/> (whose seeded sequence
/// is fixed across .NET versions) plus the distributions the estimators need. One instance per estimate,
/// drawn sequentially, so the same seed gives the same numbers whatever the thread count.
/// </summary>
internal sealed class SeededRandom(int seed)
{
    private readonly Random _r = new(seed);
    private double? _spare;

    /// <summary>Uniform on [0, 1).</summary>
    public double NextDouble() => _r.NextDouble();

    public int NextInt(int maxExclusive) => _r.Next(maxExclusive);

    /// <summary>Standard normal by the polar Box–Muller method (pairs; the second is kept).</summary>
    public double Gaussian()
    {
        if (_spare is { } s) { _spare = null; return s; }
        double u, v, r2;
        do
        {
            u = 2 * _r.NextDouble() - 1;
            v = 2 * _r.NextDouble() - 1;
            r2 = u * u + v * v;
        } while (r2 >= 1 || r2 == 0);
        double f = Math.Sqrt(-2 * Math.Log(r2) / r2);
        _spare = v * f;
        return u * f;
    }

    /// <summary>±1 with equal probability.</summary>
    public double Rademacher() => (_r.Next() & 1) == 0 ? -1.0 : 1.0;

    /// <summary>Standard Cauchy (scale 1): tan(π(U − ½)), U uniform in (0, 1).</summary>
    public double Cauchy()
    {
        double u;
        do u = _r.NextDouble(); while (u == 0);
        return Math.Tan(Math.PI * (u - 0.5));
    }

    public void FillGaussian(Span<double> x) { for (int i = 0; i < x.Length; i++) x[i] = Gaussian(); }

    public void FillRademacher(Span<double> x) { for (int i = 0; i < x.Length; i++) x[i] = Rademacher(); }

    public void FillCauchy(Span<double> x) { for (int i = 0; i < x.Length; i++) x[i] = Cauchy(); }

    /// <summary>A uniformly random permutation of 0..n−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = _r.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
