using System.Diagnostics;
using FocusLab.Optim;

namespace FocusLab.Bench;

/// <summary>One measured optimizer step configuration.</summary>
public sealed record OptimBenchResult(string Optimizer, string Layout, int Threads, double MedianStepS, double ParamsPerS, long BytesPerStep, double Gbps, double FractionOfCopy);

/// <summary>The JSON printed by <c>focuslab bench optim --json</c>.</summary>
public sealed record OptimBenchReport(double CopyGbps, Dictionary<string, double> CopyGbpsByThreads, long Parameters, int Steps, List<OptimBenchResult> Results);

/// <summary>
/// Measures optimizer step time against memory bandwidth: each step must stream θ, g and the state
/// buffers through memory once, so the ceiling is the copy bandwidth measured in the same run.
/// Layouts: "flat" (one buffer) and "list100" (100 buffers with the same total).
/// </summary>
public static class OptimBenchmark
{
    /// <summary>Bytes per coordinate each step must read plus write: θ, g and the state floats read; θ and state written.</summary>
    public static readonly Dictionary<string, (string Spec, int Bytes)> Cases = new()
    {
        ["adamw"] = ("adamw:lr=1e-3,weight_decay=0.1", (4 + 4 + 8) + (4 + 8)),
        ["focus"] = ("focus:lr=6e-4,beta2=0.99,gamma=0.2,weight_decay=0.2", (4 + 4 + 8) + (4 + 8)),
        ["s3"] = ("s3:lr=1e-3,weight_decay=0.1", (4 + 4 + 8) + (4 + 8)),
        ["lion"] = ("lion:lr=1e-4,weight_decay=0.1", (4 + 4 + 4) + (4 + 4)),
        ["signum"] = ("signum:lr=1e-4,weight_decay=0.1", (4 + 4 + 4) + (4 + 4)),
    };

    public static OptimBenchReport Run(int parameters = 1 << 24, int steps = 15, IReadOnlyList<int>? threadCounts = null, IReadOnlyList<string>? optimizers = null, Action<string>? progress = null)
    {
        threadCounts ??= Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
        optimizers ??= [.. Cases.Keys];
        var copy = new Dictionary<string, double>();
        foreach (int t in threadCounts) copy[t.ToString()] = CopyBandwidth(parameters, t);
        var results = new List<OptimBenchResult>();
        foreach (var id in optimizers)
        {
            if (!Cases.TryGetValue(id, out var c)) throw new ArgumentException($"No benchmark case for '{id}'. Known: {string.Join(", ", Cases.Keys)}.");
            foreach (var layout in new[] { "flat", "list100" })
            {
                var ps = MakeParameters(layout, parameters);
                var opt = OptimizerFactory.Create(c.Spec, ps);
                foreach (int t in threadCounts)
                {
                    progress?.Invoke($"{id} {layout} threads={t}");
                    opt.Threads = t;
                    double median = MedianStep(opt, steps);
                    long bytes = (long)c.Bytes * parameters;
                    double gbps = bytes / median / 1e9;
                    results.Add(new OptimBenchResult(id, layout, t, median, parameters / median, bytes, gbps, gbps / copy[t.ToString()]));
                }
            }
        }
        return new OptimBenchReport(copy[threadCounts[^1].ToString()], copy, parameters, steps, results);
    }

    private static Parameter[] MakeParameters(string layout, int total)
    {
        var rng = new Random(1);
        int count = layout == "flat" ? 1 : 100;
        var ps = new Parameter[count];
        for (int k = 0; k < count; k++)
        {
            int n = total / count + (k < total % count ? 1 : 0);
            ps[k] = new Parameter($"p{k}", n);
            var d = ps[k].DataSpan; var g = ps[k].GradSpan;
            for (int i = 0; i < n; i++) { d[i] = (float)(rng.NextDouble() - 0.5); g[i] = (float)(rng.NextDouble() - 0.5) * 1e-2f; }
        }
        return ps;
    }

    private static double MedianStep(Optimizer opt, int steps)
    {
        for (int i = 0; i < 3; i++) opt.Step(); // warm-up: JIT tiers, page faults of the state buffers
        var times = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            opt.Step();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return times[steps / 2];
    }

    /// <summary>Read + write bandwidth of copying a buffer of the benchmark's size, split over <paramref name="threads"/>.</summary>
    public static double CopyBandwidth(int floats, int threads, int repeats = 9)
    {
        var src = new float[floats]; var dst = new float[floats];
        src.AsSpan().Fill(1f); dst.AsSpan().Fill(0f);
        var times = new double[repeats];
        int chunk = (floats + threads - 1) / threads;
        for (int r = 0; r < repeats; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (threads == 1) src.AsSpan().CopyTo(dst);
            else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            {
                int s = k * chunk, e = Math.Min(floats, s + chunk);
                if (s < e) src.AsSpan(s, e - s).CopyTo(dst.AsSpan(s, e - s));
            });
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return 8.0 * floats / times[repeats / 2] / 1e9;
    }
}
