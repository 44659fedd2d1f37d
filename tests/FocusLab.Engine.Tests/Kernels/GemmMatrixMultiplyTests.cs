using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Optim;

namespace FocusLab.Engine.Tests.Kernels;

/// <summary>The engine's GEMM as FocusLab.Optim's matrix-multiply provider agrees with the library's own fallback, and muon runs on it.</summary>
public sealed class GemmMatrixMultiplyTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Agrees_with_the_optimizer_library_fallback(bool transA, bool transB)
    {
        var r = new Random(2);
        int m = 37, n = 129, k = 64;
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        var engine = new float[m * n]; var fallback = new float[m * n];
        GemmMatrixMultiply.Shared.Multiply(transA, transB, m, n, k, a, b, engine);
        ManagedMatrixMultiply.Shared.Multiply(transA, transB, m, n, k, a, b, fallback);
        for (int i = 0; i < engine.Length; i++) Assert.True(Math.Abs(engine[i] - fallback[i]) <= 1e-5, $"C[{i}] {engine[i]} vs {fallback[i]}");
    }

    [Fact]
    public void Muon_on_the_engine_gemm_matches_muon_on_the_fallback()
    {
        var r = new Random(4);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        var theta = Values(96 * 32); var grad = Values(96 * 32);
        var p1 = new Parameter("w", [96, 32], (float[])theta.Clone(), (float[])grad.Clone());
        var p2 = new Parameter("w", [96, 32], (float[])theta.Clone(), (float[])grad.Clone());
        var settings = new Dictionary<string, string> { ["lr"] = "0.02" };
        var onEngine = new Muon([new ParameterGroupSpec([p1])], settings, GemmMatrixMultiply.Shared);
        var onFallback = new Muon([new ParameterGroupSpec([p2])], settings, ManagedMatrixMultiply.Shared);
        for (int t = 0; t < 3; t++) { onEngine.Step(); onFallback.Step(); }
        for (int i = 0; i < theta.Length; i++) Assert.True(Math.Abs(p1.DataSpan[i] - p2.DataSpan[i]) <= 1e-5, $"θ[{i}] {p1.DataSpan[i]} vs {p2.DataSpan[i]}");
    }
}
