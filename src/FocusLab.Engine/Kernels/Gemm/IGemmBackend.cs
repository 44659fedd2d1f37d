namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// Single-precision row-major matrix multiply C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ.
/// op(A) is m×k, op(B) is k×n, C is m×n; lda/ldb/ldc are the row strides of the stored matrices.
/// </summary>
public interface IGemmBackend
{
    /// <summary>"openblas" or "managed".</summary>
    string Name { get; }

    /// <summary>C = alpha·op(A)·op(B) + beta·C on row-major spans, as described above.</summary>
    void Sgemm(bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);

    /// <summary>The same back end computing every product on the calling thread, for products that already
    /// run concurrently with other work (<see cref="Gemm.MultiplyConcurrently{T}"/>).</summary>
    IGemmBackend SingleThreaded { get; }
}
