namespace FocusLab.Optim.Tests.Kernels;

/// <summary>The library's fallback matrix product against a naive float64 product, for every transpose combination and awkward sizes.</summary>
public sealed class ManagedMatrixMultiplyTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Matches_a_float64_product(bool transA, bool transB)
    {
        var r = new TestRandom(3);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 17, 9), (16, 40, 33), (33, 7, 64) })
        {
            var a = r.NormalArray(m * k); var b = r.NormalArray(k * n); var c = new float[m * n];
            ManagedMatrixMultiply.Shared.Multiply(transA, transB, m, n, k, a, b, c);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0, abs = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double x = transA ? a[p * m + i] : a[i * k + p], y = transB ? b[j * k + p] : b[p * n + j];
                        s += x * y; abs += Math.Abs(x * y);
                    }
                    Assert.True(Math.Abs(c[i * n + j] - s) <= 1e-6 * abs + 1e-7, $"{m}×{n}×{k} ({transA}, {transB}) C[{i},{j}] = {c[i * n + j]} vs {s}");
                }
        }
    }

    [Fact]
    public void Short_buffers_are_refused_naming_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => ManagedMatrixMultiply.Shared.Multiply(false, false, 2, 2, 2, new float[3], new float[4], new float[4]));
        Assert.Contains("2×2 · 2×2", e.Message);
    }
}
