using System.Diagnostics;
using System.Text.Json.Serialization;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;
using FocusLab.Optim;

namespace FocusLab.Bench;

/// <summary>One row; exactly one of the two rates is present (GPT: tokens, MLP: samples).</summary>
public sealed record TrainBenchResult(string Model, int Batch, string Backend, double MedianStepS,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? TokensPerS,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SamplesPerS);

/// <summary>The JSON shape: {"results": [...]}.</summary>
public sealed record TrainBenchReport(List<TrainBenchResult> Results);

/// <summary>
/// `focuslab bench train`: median wall time of a full training step (zero grad, forward, backward,
/// AdamW update) on synthetic data for the GPT (4 layers, 4 heads, 128 wide, block 64,
/// vocabulary 256, batch 16) and the FOCUS MLP (batch 128 and 4096), for every GEMM back end.
/// </summary>
public static class TrainBenchmark
{
    public const string OptimizerSpec = "adamw:lr=0.0003,weight_decay=0.1";

    public static TrainBenchReport Run(int steps = 20, Action<string>? progress = null)
    {
        var backends = new List<IGemmBackend>();
        if (OpenBlasGemm.TryLoad() is { } blas) backends.Add(blas);
        backends.Add(new ManagedGemm());
        var results = new List<TrainBenchResult>();
        var previous = Gemm.Backend;
        try
        {
            foreach (var backend in backends)
            {
                Gemm.UseBackend(backend);
                progress?.Invoke($"measuring gpt batch 16 ({backend.Name})");
                double gpt = Gpt(16, steps);
                progress?.Invoke($"gpt ({backend.Name}): median {gpt * 1e3:F1} ms wall, {LastCpuSecondsPerStep * 1e3:F1} ms CPU per step");
                results.Add(new TrainBenchResult("gpt", 16, backend.Name, gpt, 16 * 64 / gpt, null));
                foreach (int batch in new[] { 128, 4096 })
                {
                    progress?.Invoke($"measuring mlp batch {batch} ({backend.Name})");
                    double mlp = Mlp(batch, steps);
                    progress?.Invoke($"mlp {batch} ({backend.Name}): median {mlp * 1e3:F2} ms wall, {LastCpuSecondsPerStep * 1e3:F2} ms CPU per step");
                    results.Add(new TrainBenchResult("mlp", batch, backend.Name, mlp, null, batch / mlp));
                }
            }
        }
        finally
        {
            Gemm.UseBackend(previous);
        }
        return new TrainBenchReport(results);
    }

    /// <summary>Median seconds per GPT training step (after warm-up steps).</summary>
    public static double Gpt(int batch, int steps)
    {
        var config = new GptConfig();
        var model = new Gpt<float>(config, seed: 1);
        var optimizer = OptimizerFactory.Create(OptimizerSpec, model.WeightDecayGroups(0.1));
        var rng = new Random(2);
        int n = batch * config.BlockSize;
        var tokens = new int[n]; var targets = new int[n];
        for (int i = 0; i < n; i++) { tokens[i] = rng.Next(config.VocabSize); targets[i] = rng.Next(config.VocabSize); }
        var tape = new Tape<float>();
        return Median(steps, () =>
        {
            tape.Reset();
            optimizer.ZeroGrad();
            var loss = model.Loss(tape, tokens, targets, batch, config.BlockSize);
            tape.Backward(loss);
            optimizer.Step();
        });
    }

    /// <summary>
    /// Wall time per tape operation and for the optimizer step over <paramref name="steps"/> GPT or MLP
    /// steps (after the same warm-up as the timing), largest first: where a step's time goes.
    /// </summary>
    public static List<(string Name, long Calls, double Seconds)> Profile(string model, int batch, int steps)
    {
        var profile = new TapeProfile();
        var tape = new Tape<float>();
        Action step;
        Optimizer optimizer;
        if (model == "gpt")
        {
            var config = new GptConfig();
            var gpt = new Gpt<float>(config, seed: 1);
            optimizer = OptimizerFactory.Create(OptimizerSpec, gpt.WeightDecayGroups(0.1));
            var rng = new Random(2);
            int n = batch * config.BlockSize;
            var tokens = new int[n]; var targets = new int[n];
            for (int i = 0; i < n; i++) { tokens[i] = rng.Next(config.VocabSize); targets[i] = rng.Next(config.VocabSize); }
            step = () => tape.Backward(gpt.Loss(tape, tokens, targets, batch, config.BlockSize));
        }
        else
        {
            var mlp = new Mlp<float>(new MlpConfig(), seed: 1);
            optimizer = OptimizerFactory.Create("adamw:lr=0.001,weight_decay=0.01", mlp.WeightDecayGroups(0.01));
            var rng = new Random(3);
            var x = new Tensor<float>(batch, 784);
            var labels = new int[batch];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
            for (int i = 0; i < batch; i++) labels[i] = rng.Next(10);
            step = () => tape.Backward(mlp.Loss(tape, x, labels));
        }
        var optimizerTime = TimeSpan.Zero;
        var zeroTime = TimeSpan.Zero;
        void Full()
        {
            tape.Reset();
            long t0 = Stopwatch.GetTimestamp();
            optimizer.ZeroGrad();
            zeroTime += Stopwatch.GetElapsedTime(t0);
            step();
            t0 = Stopwatch.GetTimestamp();
            optimizer.Step();
            optimizerTime += Stopwatch.GetElapsedTime(t0);
        }
        Median(5, Full);
        optimizerTime = zeroTime = TimeSpan.Zero;
        tape.Profile = profile;
        for (int i = 0; i < steps; i++) Full();
        tape.Profile = null;
        var rows = profile.Entries.Select(e => (e.Key, e.Value.Calls / steps, e.Value.Time.TotalSeconds / steps)).ToList();
        rows.Add(("optimizer step", 1, optimizerTime.TotalSeconds / steps));
        rows.Add(("zero grad", 1, zeroTime.TotalSeconds / steps));
        rows.Sort((a, b) => b.Item3.CompareTo(a.Item3));
        return rows;
    }

    /// <summary>Median seconds per MLP training step on random 784-pixel inputs.</summary>
    public static double Mlp(int batch, int steps)
    {
        var model = new Mlp<float>(new MlpConfig(), seed: 1);
        var optimizer = OptimizerFactory.Create("adamw:lr=0.001,weight_decay=0.01", model.WeightDecayGroups(0.01));
        var rng = new Random(3);
        var x = new Tensor<float>(batch, 784);
        var labels = new int[batch];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        for (int i = 0; i < batch; i++) labels[i] = rng.Next(10);
        var tape = new Tape<float>();
        return Median(steps, () =>
        {
            tape.Reset();
            optimizer.ZeroGrad();
            var loss = model.Loss(tape, x, labels);
            tape.Backward(loss);
            optimizer.Step();
        });
    }

    /// <summary>
    /// Median of <paramref name="steps"/> timed steps after a warm-up of at least 5 steps and 3 seconds,
    /// so tiered JIT compilation (including System.Numerics.Tensors' generic kernels) has reached
    /// fully optimised code: the figure is the steady state of a long training run.
    /// </summary>
    private static double Median(int steps, Action step)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 5 || warm.Elapsed.TotalSeconds < 3; i++) step();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var times = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            step();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        process.Refresh();
        LastCpuSecondsPerStep = (process.TotalProcessorTime - cpu0).TotalSeconds / steps;
        Array.Sort(times);
        return times[steps / 2];
    }

    /// <summary>Process CPU time per step of the last measurement (all threads): on a loaded machine
    /// it shows the work done, while wall time shows the share of the cores this process got.</summary>
    public static double LastCpuSecondsPerStep { get; private set; }
}
