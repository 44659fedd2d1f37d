using System.Diagnostics;
using FocusLab.Optim;

namespace FocusLab.Bench;

/// <summary>One measured optimizer step configuration.</summary>
public sealed record OptimBenchResult(string Optimizer, string Layout, int Threads, double MedianStepS, double ParamsPerS, long BytesPerStep, double Gbps, double FractionOfCopy);

/// <summary>One optimizer on the GPT's weight matrices: median step time and its ratio to adamw's on the same tensors.</summary>
/// <param name="Optimizer">"muon" or "adamw".</param>
/// <param name="Products">Who computes muon's matrix products ("engine:openblas", "engine:managed", "managed" = FocusLab.Optim's fallback), or "-" for adamw.</param>
/// <param name="Threads">Threads of the optimizer kernels (the engine's GEMM uses every core).</param>
/// <param name="MedianStepS">Median step time in seconds.</param>
/// <param name="RatioToAdamw">Median step time divided by adamw's.</param>
public sealed record MatrixBenchResult(string Optimizer, string Products, int Threads, double MedianStepS, double RatioToAdamw);

/// <summary>The GPT matrices benchmark: which shapes, how many parameters, and the rows.</summary>
/// <param name="Shapes">Every matrix of the GPT's blocks, e.g. "384x128".</param>
/// <param name="Parameters">Coordinates over all of them.</param>
/// <param name="Results">One row per optimizer and product provider.</param>
public sealed record GptMatrixBench(string[] Shapes, long Parameters, List<MatrixBenchResult> Results);

/// <summary>The JSON printed by <c>focuslab bench optim --json</c>.</summary>
public sealed record OptimBenchReport(double CopyGbps, Dictionary<string, double> CopyGbpsByThreads, long Parameters, int Steps, List<OptimBenchResult> Results, GptMatrixBench? GptMatrices = null);

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
        // Group-reducing rules stream twice: pass 1 for the group statistic, pass 2 for the step.
        ["normalized_sgd"] = ("normalized_sgd:lr=1e-3,momentum=0.9", (4 + 4 + 4) + 4 + (4 + 4) + 4),  // pass 1: θ g m → m; pass 2: θ m → θ
        ["adasgd"] = ("adasgd:lr=1e-3,weight_decay=0.1", 4 + (4 + 4 + 4) + (4 + 4)),                // pass 1: g; pass 2: θ g m → θ m
        ["adam_mini"] = ("adam_mini:lr=1e-3", 4 + (4 + 4 + 4) + (4 + 4)),
    };

    /// <summary>The cases measured when no list is given (the group-reducing ones run when named in --optimizers).</summary>
    public static readonly string[] DefaultIds = ["adamw", "focus", "s3", "lion", "signum"];

    public static OptimBenchReport Run(int parameters = 1 << 24, int steps = 15, IReadOnlyList<int>? threadCounts = null, IReadOnlyList<string>? optimizers = null, Action<string>? progress = null)
    {
        threadCounts ??= Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
        optimizers ??= [.. DefaultIds, "muon"];
        // Muon is defined on matrices and its cost is its products, so it is measured on the GPT's matrices, not on flat buffers.
        GptMatrixBench? matrices = optimizers.Contains("muon") ? RunGptMatrices(steps, progress) : null;
        optimizers = optimizers.Where(o => o != "muon").ToArray();
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
        return new OptimBenchReport(copy[threadCounts[^1].ToString()], copy, parameters, steps, results, matrices);
    }

    /// <summary>
    /// Muon against adamw on every weight matrix of the GPT of <c>bench train</c> (4 blocks, width 128:
    /// [384,128], [128,128], [512,128], [128,512] per block), muon once with the engine's GEMM and once
    /// with FocusLab.Optim's own fallback product.
    /// </summary>
    public static GptMatrixBench RunGptMatrices(int steps = 15, Action<string>? progress = null)
    {
        var config = new FocusLab.Engine.Models.GptConfig();
        int c = config.Embedding;
        var shapes = Enumerable.Range(0, config.Layers).SelectMany(_ => new[] { (3 * c, c), (c, c), (4 * c, c), (c, 4 * c) }).ToArray();
        Parameter[] Make()
        {
            var rng = new Random(1);
            return shapes.Select((s, k) =>
            {
                var p = new Parameter($"m{k}", s.Item1, s.Item2);
                var d = p.DataSpan; var g = p.GradSpan;
                for (int i = 0; i < p.Length; i++) { d[i] = (float)(rng.NextDouble() - 0.5) * 0.04f; g[i] = (float)(rng.NextDouble() - 0.5) * 1e-2f; }
                return p;
            }).ToArray();
        }
        int threads = Environment.ProcessorCount;
        var rows = new List<(string Optimizer, string Products, double Median)>();
        progress?.Invoke("adamw on the GPT matrices");
        var adamw = OptimizerFactory.Create("adamw:lr=1e-3,weight_decay=0.1", Make());
        adamw.Threads = threads;
        rows.Add(("adamw", "-", MedianStep(adamw, steps)));
        foreach (IMatrixMultiply products in new IMatrixMultiply[] { FocusLab.Engine.Kernels.Gemm.GemmMatrixMultiply.Shared, ManagedMatrixMultiply.Shared })
        {
            progress?.Invoke($"muon on the GPT matrices, products: {products.Name}");
            var muon = new Muon([new ParameterGroupSpec(Make())], new Dictionary<string, string> { ["lr"] = "0.02" }, products) { Threads = threads };
            rows.Add(("muon", products.Name, MedianStep(muon, steps)));
        }
        double baseline = rows[0].Median;
        return new GptMatrixBench(shapes.Select(s => $"{s.Item1}x{s.Item2}").ToArray(), shapes.Sum(s => (long)s.Item1 * s.Item2),
            rows.Select(r => new MatrixBenchResult(r.Optimizer, r.Products, threads, r.Median, r.Median / baseline)).ToList());
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
