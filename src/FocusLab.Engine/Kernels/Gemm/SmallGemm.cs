using System.Numerics;
using System.Runtime.InteropServices;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// Single-threaded products for many small matrices computed inside an already parallel loop
/// (per-head attention): always the managed kernel with one thread, so nothing oversubscribes the
/// cores and the result does not depend on the global back end.
/// </summary>
internal static class SmallGemm
{
    private static readonly ManagedGemm s_float = new() { MaxDegreeOfParallelism = 1 };

    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            s_float.Sgemm(transA, transB, m, n, k, float.CreateTruncating(alpha), MemoryMarshal.Cast<T, float>(a), lda,
                MemoryMarshal.Cast<T, float>(b), ldb, float.CreateTruncating(beta), MemoryMarshal.Cast<T, float>(c), ldc);
        else
            ManagedDoubleGemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel: false);
    }
}
