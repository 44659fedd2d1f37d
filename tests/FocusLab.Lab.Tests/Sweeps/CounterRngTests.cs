using System.Runtime.Intrinsics;
using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Tests.Sweeps;

public class CounterRngTests
{
    [Fact]
    public void LogMatchesMathLogToFloatPrecision()
    {
        var rng = new CounterRng(1);
        double worst = 0;
        for (uint i = 0; i < 20000; i++)
        {
            rng.Bits(i, 7, out uint a, out _);
            float x = i < 1000 ? (i + 1) / 16777216f : (float)((a >> 8) + 1) / 16777216f; // includes the smallest u1 values
            if (i % 3 == 0) x = BitConverter.UInt32BitsToSingle(0x00800000u + a % 0x7E800000u); // any positive normal float
            float got = FastNormal.Log(Vector256.Create(x)).ToScalar();
            double want = Math.Log(x);
            worst = Math.Max(worst, Math.Abs(got - want) / (1 + Math.Abs(want)));
        }
        Assert.True(worst < 3e-7, $"worst relative error {worst}");
    }

    /// <summary>Standard normal CDF via erfc (W. J. Cody's rational form is overkill here; Abramowitz–Stegun 7.1.26, |ε| ≤ 1.5e-7).</summary>
    private static double Phi(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2), t = 1 / (1 + 0.3275911 * x);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-x * x);
        return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }

    [Fact]
    public void NormalsHaveTheRightMomentsTailsAndDistribution()
    {
        var rng = new CounterRng(2024);
        const int keys = 512, counters = 1024; // 2^20 pairs, 2^21 draws
        var z = new float[2 * keys * counters];
        int n = 0;
        for (uint c = 0; c < counters; c++)
            for (uint k = 0; k < keys; k += 8)
            {
                var z0 = rng.Normals(Vector256.Create(k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7), c, out var z1);
                for (int l = 0; l < 8; l++) { z[n++] = z0.GetElement(l); z[n++] = z1.GetElement(l); }
            }
        int N = z.Length;
        double mean = z.Average(v => (double)v);
        double var = z.Sum(v => (v - mean) * (v - mean)) / (N - 1);
        double kurt = z.Sum(v => Math.Pow(v - mean, 4)) / N / (var * var);
        Assert.InRange(mean, -5 / Math.Sqrt(N), 5 / Math.Sqrt(N));
        Assert.InRange(var, 1 - 5 * Math.Sqrt(2.0 / N), 1 + 5 * Math.Sqrt(2.0 / N));
        Assert.InRange(kurt, 3 - 5 * Math.Sqrt(24.0 / N), 3 + 5 * Math.Sqrt(24.0 / N));
        foreach (double cut in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            double p = 2 * (1 - Phi(cut));
            double observed = z.Count(v => Math.Abs(v) > cut) / (double)N;
            double sd = Math.Sqrt(p * (1 - p) / N);
            Assert.True(Math.Abs(observed - p) < 5 * sd + 1e-7, $"P(|z|>{cut}) = {observed}, expected {p} ± {sd}");
        }
        Assert.True(z.Max() < 5.8f && z.Min() > -5.8f); // 24-bit u1 bounds |z| by √(48 ln 2)
        // Kolmogorov–Smirnov distance to Φ: the 1e-6 level critical value at this N is about 0.0018.
        var sorted = z.Select(v => (double)v).Order().ToArray();
        double ks = 0;
        for (int i = 0; i < N; i += 7) ks = Math.Max(ks, Math.Max(Math.Abs(Phi(sorted[i]) - (double)i / N), Math.Abs(Phi(sorted[i]) - (i + 1.0) / N)));
        Assert.True(ks < 0.0018, $"KS distance {ks}");
    }

    [Fact]
    public void PairsAndNeighbouringCountersAreUncorrelated()
    {
        var rng = new CounterRng(5);
        const int N = 200000;
        double s01 = 0, sNext = 0, sKey = 0;
        rng.Normals(0, 0, out float prev0, out _);
        for (uint i = 1; i <= N; i++)
        {
            rng.Normals(3, i, out float a, out float b);
            rng.Normals(4, i, out float c, out _);
            s01 += a * b; sNext += a * prev0; sKey += a * c; prev0 = a;
        }
        double bound = 5 / Math.Sqrt(N);
        Assert.InRange(s01 / N, -bound, bound);
        Assert.InRange(sNext / N, -bound, bound);
        Assert.InRange(sKey / N, -bound, bound);
    }

    [Fact]
    public void ScalarAndVectorPathsAgreeAndOutputsAreDistinct()
    {
        var rng = new CounterRng(77);
        var keys = Vector256.Create(0u, 1, 2, 3, 1000, 1 << 20, uint.MaxValue, 12345);
        for (uint c = 0; c < 50; c++)
        {
            var z0 = rng.Normals(keys, c, out var z1);
            for (int l = 0; l < 8; l++)
            {
                rng.Normals(keys.GetElement(l), c, out float a, out float b);
                Assert.Equal(a, z0.GetElement(l));
                Assert.Equal(b, z1.GetElement(l));
            }
        }
        // The Feistel mixing is a bijection of (key, counter): no two inputs share the 64-bit output.
        var seen = new HashSet<ulong>();
        for (uint k = 0; k < 300; k++) for (uint c = 0; c < 300; c++)
        {
            rng.Bits(k, c, out uint a, out uint b);
            Assert.True(seen.Add(((ulong)a << 32) | b));
        }
        new CounterRng(78).Bits(0, 0, out uint x, out _);
        rng.Bits(0, 0, out uint y, out _);
        Assert.NotEqual(x, y); // the seed changes the stream
    }
}
