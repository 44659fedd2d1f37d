namespace FocusLab.Optim.Tests;

/// <summary>Seeded random numbers for tests (System.Random with a seed is stable across .NET versions).</summary>
internal sealed class TestRandom(int seed)
{
    private readonly Random _r = new(seed);

    public double Uniform(double lo, double hi) => lo + (hi - lo) * _r.NextDouble();

    public int Int(int lo, int hiExclusive) => _r.Next(lo, hiExclusive);

    public bool Chance(double p) => _r.NextDouble() < p;

    /// <summary>Standard normal (Box-Muller).</summary>
    public double Normal()
    {
        double u = 1 - _r.NextDouble(), v = _r.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>10^U(lo, hi): a scale spread over several decades.</summary>
    public double LogUniform(double lo, double hi) => Math.Pow(10, Uniform(lo, hi));

    public T Pick<T>(params T[] items) => items[_r.Next(items.Length)];

    public float[] NormalArray(int n, double scale = 1)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(scale * Normal());
        return a;
    }
}
