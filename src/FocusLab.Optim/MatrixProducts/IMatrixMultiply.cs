namespace FocusLab.Optim;

/// <summary>
/// Dense float32 matrix products for optimizers that need them (muon's Newton–Schulz iteration).
/// FocusLab.Optim depends only on the BCL, so a host with a faster GEMM (FocusLab.Engine: OpenBLAS or
/// its managed AVX2 kernel) supplies one through <see cref="MatrixMultiply.Provider"/>; otherwise
/// <see cref="ManagedMatrixMultiply"/> runs.
/// </summary>
public interface IMatrixMultiply
{
    /// <summary>A short name for logs and benchmarks ("managed", "engine:openblas", ...).</summary>
    string Name { get; }

    /// <summary>
    /// C = op(A)·op(B) for contiguous row-major matrices, op(X) = X or Xᵀ: op(A) is m×k, op(B) is k×n,
    /// C is m×n and is overwritten. Implementations must give the same result for the same inputs
    /// on every call (whatever the thread count), so optimizer runs stay reproducible.
    /// </summary>
    /// <param name="transposeA">Use Aᵀ (A stored k×m).</param>
    /// <param name="transposeB">Use Bᵀ (B stored n×k).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The summed dimension.</param>
    /// <param name="a">A, at least m·k values.</param>
    /// <param name="b">B, at least k·n values.</param>
    /// <param name="c">C, at least m·n values.</param>
    void Multiply(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c);
}

/// <summary>The process-wide matrix-multiply provider that optimizers built by <see cref="OptimizerFactory"/> use.</summary>
public static class MatrixMultiply
{
    private static IMatrixMultiply? s_provider;

    /// <summary>The provider in use: the one installed last, else <see cref="ManagedMatrixMultiply.Shared"/>. Setting null restores the fallback.</summary>
    public static IMatrixMultiply Provider
    {
        get => s_provider ?? ManagedMatrixMultiply.Shared;
        set => s_provider = value;
    }
}
