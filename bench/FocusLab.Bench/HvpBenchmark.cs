using System.Diagnostics;
using FocusLab.Engine.Models;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Bench;

/// <summary>
/// The JSON shape {model, grad_s, hvp_s, ratio} plus context: <see cref="GradS"/> is the float32
/// gradient the model trains with, <see cref="GradF64S"/> the float64 gradient the HVP is built from
/// (the HVP is four of those, by Richardson-extrapolated central differences), and
/// <see cref="RatioF64"/> = hvp_s / grad_f64_s.
/// </summary>
public sealed record HvpBenchResult(string Model, long Parameters, int Batch, int Block, double GradS, double HvpS, double Ratio, double GradF64S, double RatioF64, int Repeats);

/// <summary>`focuslab bench hvp`: median wall time of one gradient and one Hessian-vector product of the GPT on a fixed random batch.</summary>
public static class HvpBenchmark
{
    /// <summary>The benchmark GPT: 4 layers, 4 heads, 128 wide, block 64, vocabulary 256.</summary>
    public static readonly GptConfig Default = new(VocabSize: 256, BlockSize: 64, Layers: 4, Heads: 4, Embedding: 128);

    /// <summary>A small GPT for quick checks (`--small`).</summary>
    public static readonly GptConfig Small = new(VocabSize: 256, BlockSize: 32, Layers: 2, Heads: 2, Embedding: 64);

    public static HvpBenchResult Run(GptConfig config, int batch, int repeats, Action<string>? progress = null)
    {
        if (batch < 1) throw new ArgumentException("--batch must be at least 1.");
        if (repeats < 1) throw new ArgumentException("--repeats must be at least 1.");
        config.Validate();
        var model = new Gpt<float>(config, seed: 1);
        var rng = new Random(2);
        int n = batch * config.BlockSize;
        var tokens = Enumerable.Range(0, n).Select(_ => rng.Next(config.VocabSize)).ToArray();
        var targets = Enumerable.Range(0, n).Select(_ => rng.Next(config.VocabSize)).ToArray();
        var loss = new GptModelLoss(model, tokens, targets, batch, config.BlockSize);
        int d = loss.Layout.Count;
        var g = new float[d];
        var gd = new double[d];
        var v = new float[d];
        var hv = new float[d];
        for (int i = 0; i < d; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);

        progress?.Invoke($"float32 gradient ({d} parameters, batch {batch}×{config.BlockSize})");
        double grad = Median(repeats, () => loss.LossAndGradient(g));
        progress?.Invoke("float64 gradient");
        double gradF64 = Median(repeats, () => loss.LossAndGradientDouble(gd));
        progress?.Invoke("Hessian-vector product");
        double hvp = Median(repeats, () => loss.HessianVectorProduct(v, hv));
        string name = $"gpt(n_layer={config.Layers},n_head={config.Heads},n_embd={config.Embedding},block={config.BlockSize},vocab={config.VocabSize})";
        return new HvpBenchResult(name, d, batch, config.BlockSize, grad, hvp, hvp / grad, gradF64, hvp / gradF64, repeats);
    }

    private static double Median(int repeats, Action run)
    {
        for (int i = 0; i < 2; i++) run(); // JIT tiering and tape arenas
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
