namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>Up-front checks shared by the back ends, so a bad call fails with a clear message
/// instead of reading outside a buffer.</summary>
internal static class GemmArguments
{
    public static void Check(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative (m={m}, n={n}, k={k}).");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckMatrix("A", aRows, aCols, aLength, lda);
        CheckMatrix("B", bRows, bCols, bLength, ldb);
        CheckMatrix("C", m, n, cLength, ldc);
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"GEMM: the row stride of {name} ({ld}) is smaller than its column count ({cols}).");
        if (rows == 0 || cols == 0) return;
        long need = (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException($"GEMM: {name} is {rows}x{cols} with row stride {ld} and needs {need} elements, but its buffer holds {length}.");
    }
}
