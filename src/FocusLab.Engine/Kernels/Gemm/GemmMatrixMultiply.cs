using FocusLab.Optim;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// The engine's GEMM (OpenBLAS or the managed AVX2 kernel, <see cref="Gemm"/>) as FocusLab.Optim's
/// matrix-multiply provider, so muon's Newton–Schulz products run at the engine's speed. Results are
/// the same for any thread count (as every engine product); they differ between back ends.
/// </summary>
public sealed class GemmMatrixMultiply : IMatrixMultiply
{
    /// <summary>The shared instance.</summary>
    public static readonly GemmMatrixMultiply Shared = new();

    /// <inheritdoc/>
    public string Name => "engine:" + Gemm.BackendName;

    /// <inheritdoc/>
    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) =>
        Gemm.Multiply(transposeA, transposeB, m, n, k, a[..(m * k)], b[..(k * n)], c[..(m * n)]);

    /// <summary>Makes this the provider of optimizers created from now on (<see cref="MatrixMultiply.Provider"/>).</summary>
    public static void Install() => MatrixMultiply.Provider = Shared;
}
