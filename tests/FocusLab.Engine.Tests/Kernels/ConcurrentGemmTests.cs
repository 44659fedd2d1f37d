using FocusLab.Engine.Kernels;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Tests.Models;

namespace FocusLab.Engine.Tests.Kernels;

[Collection("Global engine settings")]
public class ConcurrentGemmTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var backend in GemmTests.Backends())
        {
            yield return [backend[0], 97, 83, 71, false]; // 572K multiply-adds each: concurrent
            yield return [backend[0], 13, 7, 5, true];    // small: in order on the calling thread
            yield return [backend[0], 130, 64, 100, true];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BothProductsMatchTheNaiveReferenceForAnyThreadCount(string backend, int m, int n, int k, bool accumulate)
    {
        var previous = Gemm.Backend;
        try
        {
            Gemm.UseBackend(Gemm.Create(backend));
            // The two products of a linear layer's backward pass: dx = dy·W and dW = dyᵀ·x.
            var dy = GemmTests.Random(m * n, 1); var w = GemmTests.Random(n * k, 2); var x = GemmTests.Random(m * k, 3);
            var dx0 = GemmTests.Random(m * k, 4); var dw0 = GemmTests.Random(n * k, 5);
            float beta = accumulate ? 1f : 0f;
            var expectedDx = GemmTests.Naive(false, false, m, k, n, 1f, dy, n, w, k, beta, dx0, k);
            var expectedDw = GemmTests.Naive(true, false, n, k, m, 1f, dy, n, x, k, beta, dw0, k);
            float[]? firstDx = null, firstDw = null;
            foreach (int threads in new[] { 1, -1 })
            {
                Parallelism.MaxDegreeOfParallelism = threads;
                var dx = (float[])dx0.Clone(); var dw = (float[])dw0.Clone();
                Gemm.MultiplyConcurrently(new GemmTask<float>(false, false, m, k, n, dy, w, dx, accumulate),
                    new GemmTask<float>(true, false, n, k, m, dy, x, dw, accumulate));
                for (int i = 0; i < dx.Length; i++) Assert.True(Math.Abs(dx[i] - expectedDx[i]) <= 1e-5 * Math.Sqrt(n) + 1e-6, $"dx[{i}]");
                for (int i = 0; i < dw.Length; i++) Assert.True(Math.Abs(dw[i] - expectedDw[i]) <= 1e-5 * Math.Sqrt(m) + 1e-6, $"dw[{i}]");
                if (firstDx is null) { firstDx = dx; firstDw = dw; }
                else { Assert.Equal(firstDx, dx); Assert.Equal(firstDw, dw); }
            }
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = -1;
            Gemm.UseBackend(previous);
        }
    }
}
