using System.Runtime.InteropServices;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// The system's OpenBLAS (Debian: <c>apt-get install libopenblas0</c>), found at run time with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> so the engine still works without it.
/// Calls <c>cblas_sgemm</c> in row-major order through an unmanaged function pointer.
///
/// Threading: OpenBLAS is switched to one thread (<c>openblas_set_num_threads(1)</c>) and large
/// products are split here into row or column blocks of C whose size depends only on the shape, run on the
/// .NET thread pool (one block per core). This keeps OpenBLAS's spinning worker threads from
/// competing with the engine's other parallel kernels on the same cores, and makes results
/// independent of <see cref="Parallelism.MaxDegreeOfParallelism"/> (each block is one
/// single-threaded OpenBLAS call on fixed inputs; the block count depends on the shape and on the
/// machine's processor count only).
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemmBackend
{
    private const int CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112;

    // Debian installs the pthread variant under openblas-pthread/ and registers it as an alternative
    // for libopenblas.so.0; the loader finds the plain name when the alternative is configured.
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas.so.0",
        "libopenblas.so",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    // Below this many multiply-adds one call on the calling thread is faster than splitting.
    private const long ParallelThreshold = 1L << 21;
    private const int MinimumBlockSize = 32;

    // One block per core: every block packs all of op(B) again, so more blocks than cores only
    // costs. The count depends on the machine, not on Parallelism.MaxDegreeOfParallelism.
    private static readonly int MaximumBlocks = Math.Max(1, Environment.ProcessorCount);

    private OpenBlasGemm(IntPtr sgemm, string path)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        LibraryPath = path;
    }

    /// <inheritdoc/>
    public string Name => "openblas";

    /// <summary>The file that was loaded.</summary>
    public string LibraryPath { get; }

    /// <summary>Loads OpenBLAS if it is installed; null otherwise.</summary>
    public static OpenBlasGemm? TryLoad()
    {
        foreach (var candidate in Candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, out var handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm))
            {
                if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var setThreads))
                    ((delegate* unmanaged<int, void>)setThreads)(1);
                return new OpenBlasGemm(sgemm, candidate);
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public void Sgemm(bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, split: true);

    private void Sgemm(bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, bool split)
    {
        GemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        // Blocks of C fixed by the shape and the core count, so the thread setting never changes the result.
        // Rows when C is tall (each block packs all of op(B), usually a weight); columns when it is wide,
        // as for a weight gradient dyᵀ·x with a long inner dimension, where each block then packs only
        // its own columns of the large operand instead of all of it.
        bool columns = n > m;
        int dim = columns ? n : m;
        int blocks = !split || (long)m * n * k < ParallelThreshold ? 1 : Math.Clamp(dim / MinimumBlockSize, 1, MaximumBlocks);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (blocks == 1)
            {
                Call(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                return;
            }
            nint an = (nint)pa, bn = (nint)pb, cn = (nint)pc;
            int perBlock = (dim + blocks - 1) / blocks;
            if (columns) perBlock = (perBlock + 15) / 16 * 16; // whole vector widths per block
            Parallelism.For(blocks, i =>
            {
                int start = i * perBlock, count = Math.Min(perBlock, dim - start);
                if (count <= 0) return;
                if (columns)
                {
                    // Columns start.. of op(B): column offset in B, or row offset when B is stored transposed.
                    float* bi = (float*)bn + (transB ? (long)start * ldb : start);
                    Call(transA, transB, m, count, k, alpha, (float*)an, lda, bi, ldb, beta, (float*)cn + start, ldc);
                    return;
                }
                // Rows start.. of op(A): row offset in A, or column offset when A is stored transposed.
                float* ai = (float*)an + (transA ? start : (long)start * lda);
                Call(transA, transB, count, n, k, alpha, ai, lda, (float*)bn, ldb, beta, (float*)cn + (long)start * ldc, ldc);
            });
        }
    }

    /// <summary>The same library without the row-block split: every product is one single-threaded
    /// call on the calling thread (for products that already run concurrently with other work).</summary>
    public IGemmBackend SingleThreaded => _single ??= new SingleThreadedView(this);

    private IGemmBackend? _single;

    private sealed class SingleThreadedView(OpenBlasGemm blas) : IGemmBackend
    {
        public string Name => blas.Name;

        public IGemmBackend SingleThreaded => this;

        public void Sgemm(bool transA, bool transB, int m, int n, int k,
            float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
            float beta, Span<float> c, int ldc)
            => blas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, split: false);
    }

    private void Call(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        => _sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
