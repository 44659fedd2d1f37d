using System.Diagnostics;
using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Bench;

public sealed record GemmBenchResult(string Backend, int M, int N, int K, double Gflops);

/// <summary>The JSON shape: {"results": [...]}.</summary>
public sealed record GemmBenchReport(List<GemmBenchResult> Results);

/// <summary>`focuslab bench gemm`: GFLOP/s of every available float32 GEMM back end on the shapes.</summary>
public static class GemmBenchmark
{
    public static GemmBenchReport Run(double secondsPerCase = 1.5)
    {
        var backends = new List<IGemmBackend>();
        if (OpenBlasGemm.TryLoad() is { } blas) backends.Add(blas);
        backends.Add(new ManagedGemm());
        int[][] shapes = [[1024, 1024, 1024], [512, 2048, 512]];
        var results = new List<GemmBenchResult>();
        foreach (var backend in backends)
            foreach (var s in shapes)
                results.Add(new GemmBenchResult(backend.Name, s[0], s[1], s[2], Measure(backend, s[0], s[1], s[2], secondsPerCase)));
        return new GemmBenchReport(results);
    }

    /// <summary>Median GFLOP/s over repeated products (after 0.5 s of warm-up), counting 2·m·n·k flops.</summary>
    public static double Measure(IGemmBackend backend, int m, int n, int k, double seconds)
    {
        var rng = new Random(1);
        var a = new float[m * k]; var b = new float[k * n]; var c = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 0.5) backend.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n); // JIT tiers, caches, threads
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || (total.Elapsed.TotalSeconds < seconds && times.Count < 200))
        {
            long t0 = Stopwatch.GetTimestamp();
            backend.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        times.Sort();
        return 2.0 * m * n * k / times[times.Count / 2] / 1e9;
    }
}
