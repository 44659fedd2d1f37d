using System.Numerics.Tensors;

namespace FocusLab.Optim;

/// <summary>
/// The library's own matrix product: single-threaded, SIMD through <see cref="TensorPrimitives"/>.
/// C = A·B accumulates rows of B scaled by A's entries (row axpy, unit stride everywhere);
/// C = A·Bᵀ takes dot products of rows. A transposed A is read through a copied row. Each element of C
/// is summed in a fixed order, so results never depend on threading. Allocates only when a product
/// with transposed A is wider than any seen before (a reused row buffer).
/// </summary>
public sealed class ManagedMatrixMultiply : IMatrixMultiply
{
    /// <summary>The instance used when no other provider is installed.</summary>
    public static readonly ManagedMatrixMultiply Shared = new();

    [ThreadStatic] private static float[]? t_row;

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Matrix product {m}×{k} · {k}×{n}: dimensions must be non-negative.");
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Matrix product {m}×{k} · {k}×{n}: buffers hold {a.Length}, {b.Length}, {c.Length} values, fewer than the shapes need.");
        if (transposeA && (t_row is null || t_row.Length < k)) t_row = new float[Math.Max(k, 64)];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> rowA = transposeA ? Column(a, m, k, i) : a.Slice(i * k, k);
            var rowC = c.Slice(i * n, n);
            if (transposeB)
            {
                for (int j = 0; j < n; j++) rowC[j] = TensorPrimitives.Dot(rowA, b.Slice(j * k, k));
            }
            else
            {
                rowC.Clear();
                for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), rowA[p], rowC, rowC);
            }
        }
    }

    /// <summary>Row i of Aᵀ (column i of A, stored k×m), copied into the thread's row buffer.</summary>
    private static ReadOnlySpan<float> Column(ReadOnlySpan<float> a, int m, int k, int i)
    {
        var row = t_row.AsSpan(0, k);
        for (int p = 0; p < k; p++) row[p] = a[p * m + i];
        return row;
    }
}
