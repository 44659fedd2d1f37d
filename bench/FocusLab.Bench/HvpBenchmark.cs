using System.Diagnostics;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Models;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Bench;

/// <summary>
/// The JSON shape {model, grad_s, hvp_s, ratio}: <see cref="GradS"/> is the float32 gradient the
/// model trains with and <see cref="HvpS"/> the exact float32 Hessian-vector product (forward-over-reverse),
/// both median wall times of interleaved repeats; <see cref="GradCpuS"/>, <see cref="HvpCpuS"/> and
/// <see cref="CpuRatio"/> are the same in process CPU time (robust to other load on a shared machine).
/// Context: <see cref="FdHvpS"/> is the Richardson finite-difference HVP (4 float64 gradients; the
/// independent reference), <see cref="FdRatio"/> = fd_hvp_s / grad_s; <see cref="Float32RelativeError"/>
/// is ‖Hv₃₂ − Hv₆₄‖/‖Hv₆₄‖ against the exact float64 product at the same point and direction.
/// </summary>
public sealed record HvpBenchResult(string Model, long Parameters, int Batch, int Block, string Backend,
    double GradS, double HvpS, double Ratio, double GradCpuS, double HvpCpuS, double CpuRatio,
    double FdHvpS, double FdRatio, double Float32RelativeError, int Repeats, double LoadAverageBefore, double LoadAverageAfter);

/// <summary>`focuslab bench hvp`: cost of one exact Hessian-vector product relative to one gradient of the GPT on a fixed random batch.</summary>
public static class HvpBenchmark
{
    /// <summary>The benchmark GPT: 4 layers, 4 heads, 128 wide, block 64, vocabulary 256.</summary>
    public static readonly GptConfig Default = new(VocabSize: 256, BlockSize: 64, Layers: 4, Heads: 4, Embedding: 128);

    /// <summary>A small GPT for quick checks (`--small`).</summary>
    public static readonly GptConfig Small = new(VocabSize: 256, BlockSize: 32, Layers: 2, Heads: 2, Embedding: 64);

    public static HvpBenchResult Run(GptConfig config, int batch, int repeats, Action<string>? progress = null)
    {
        if (batch < 1) throw new ArgumentException("--batch must be at least 1.");
        config.Validate();
        var model = new Gpt<float>(config, seed: 1);
        var rng = new Random(2);
        int n = batch * config.BlockSize;
        var tokens = Enumerable.Range(0, n).Select(_ => rng.Next(config.VocabSize)).ToArray();
        var targets = Enumerable.Range(0, n).Select(_ => rng.Next(config.VocabSize)).ToArray();
        string name = $"gpt(n_layer={config.Layers},n_head={config.Heads},n_embd={config.Embedding},block={config.BlockSize},vocab={config.VocabSize})";
        return Run(new GptModelLoss(model, tokens, targets, batch, config.BlockSize), name, batch, config.BlockSize, repeats, progress);
    }

    /// <summary>The FOCUS MLP (BatchNorm in training mode) on a random batch of <paramref name="batch"/> inputs.</summary>
    public static HvpBenchResult RunMlp(MlpConfig config, int batch, int repeats, Action<string>? progress = null)
    {
        if (batch < 2) throw new ArgumentException("--batch must be at least 2 for the MLP (BatchNorm batch statistics).");
        config.Validate();
        var model = new Mlp<float>(config, seed: 1);
        var rng = new Random(2);
        var x = new FocusLab.Engine.Tensors.Tensor<float>(batch, config.Inputs);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = Enumerable.Range(0, batch).Select(_ => rng.Next(config.Classes)).ToArray();
        string name = $"mlp({config.Inputs}-[bn-{config.Hidden}-relu]x{config.Depth}-bn-{config.Classes})";
        return Run(new MlpModelLoss(model, x, labels), name, batch, 1, repeats, progress);
    }

    private static HvpBenchResult Run(EngineModelLoss loss, string name, int batch, int block, int repeats, Action<string>? progress)
    {
        if (repeats < 1) throw new ArgumentException("--repeats must be at least 1.");
        double loadBefore = LoadAverage();
        var rng = new Random(3);
        int d = loss.Layout.Count;
        var g = new float[d];
        var v = new float[d];
        var hv = new float[d];
        var hv64 = new float[d];
        for (int i = 0; i < d; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);

        progress?.Invoke($"float32 gradient and exact float32 HVP, interleaved ({name}, {d} parameters, batch {batch}×{block}, {repeats} repeats)");
        loss.HessianMethod = HessianMethod.ExactFloat32;
        var (grad, hvp) = Interleaved(repeats, () => loss.LossAndGradient(g), () => loss.HessianVectorProduct(v, hv));
        progress?.Invoke("finite-difference float64 HVP (reference)");
        loss.HessianMethod = HessianMethod.FiniteDifferenceFloat64;
        var (fd, _) = Interleaved(Math.Max(1, Math.Min(repeats, 3)), () => loss.HessianVectorProduct(v, hv64), static () => { });
        progress?.Invoke("exact float64 HVP (accuracy of the float32 product)");
        loss.HessianMethod = HessianMethod.ExactFloat64;
        loss.HessianVectorProduct(v, hv64);
        double num = 0, den = 0;
        for (int i = 0; i < d; i++) { num += Math.Pow(hv[i] - hv64[i], 2); den += Math.Pow(hv64[i], 2); }

        return new HvpBenchResult(name, d, batch, block, Gemm.BackendName,
            grad.Wall, hvp.Wall, hvp.Wall / grad.Wall, grad.Cpu, hvp.Cpu, hvp.Cpu / grad.Cpu,
            fd.Wall, fd.Wall / grad.Wall, Math.Sqrt(num / den), repeats, loadBefore, LoadAverage());
    }

    /// <summary>Median wall and CPU seconds of <paramref name="a"/> and <paramref name="b"/>, timed alternately
    /// (a, b, a, b, …) so that load changes on a shared machine affect both alike.</summary>
    private static ((double Wall, double Cpu) A, (double Wall, double Cpu) B) Interleaved(int repeats, Action a, Action b)
    {
        for (int i = 0; i < 2; i++) { a(); b(); } // JIT tiering and tape arenas
        var process = Process.GetCurrentProcess();
        var wa = new double[repeats]; var ca = new double[repeats]; var wb = new double[repeats]; var cb = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            (wa[i], ca[i]) = Time(a, process);
            (wb[i], cb[i]) = Time(b, process);
        }
        return ((Median(wa), Median(ca)), (Median(wb), Median(cb)));
    }

    private static (double Wall, double Cpu) Time(Action run, Process process)
    {
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        run();
        double wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu0).TotalSeconds);
    }

    private static double Median(double[] xs)
    {
        var s = (double[])xs.Clone();
        Array.Sort(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static double LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { return double.NaN; }
        catch (UnauthorizedAccessException) { return double.NaN; }
    }
}
