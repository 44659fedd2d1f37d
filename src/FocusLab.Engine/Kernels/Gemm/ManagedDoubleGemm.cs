using System.Numerics;
using System.Numerics.Tensors;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// Row-oriented GEMM for any IEEE type (used for float64 checks): each row of C is built as a
/// sequence of vectorised axpys over the rows of op(B), in increasing k. Rows are independent, so the
/// split over cores cannot change the result.
/// </summary>
public static class ManagedDoubleGemm
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C with the row-major conventions of <see cref="IGemmBackend"/>; rows of C split over cores unless <paramref name="parallel"/> is false.</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, bool parallel = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        // Materialise op(B) as a contiguous k×n matrix so the inner loop is a unit-stride axpy.
        T[] bk = new T[(long)k * n];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                bk[p * n + j] = transB ? b[j * ldb + p] : b[p * ldb + j];
        // Copies let the row loop run in a lambda; only the rows the product touches are copied.
        T[] aCopy = a[..Math.Min(a.Length, (transA ? k : m) * lda)].ToArray();
        T[] cCopy = c[..Math.Min(c.Length, m * ldc)].ToArray();
        void Row(int i)
        {
            var row = cCopy.AsSpan(i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else if (beta != T.One) TensorPrimitives.Multiply(row, beta, row);
            for (int p = 0; p < k; p++)
            {
                T aip = alpha * (transA ? aCopy[p * lda + i] : aCopy[i * lda + p]);
                TensorPrimitives.MultiplyAdd(bk.AsSpan(p * n, n), aip, row, row);
            }
        }
        if (parallel && (long)m * n * k > 1 << 16) Parallelism.For(m, Row);
        else for (int i = 0; i < m; i++) Row(i);
        for (int i = 0; i < m; i++) cCopy.AsSpan(i * ldc, n).CopyTo(c.Slice(i * ldc, n));
    }
}
