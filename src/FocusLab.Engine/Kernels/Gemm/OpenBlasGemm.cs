using System.Runtime.InteropServices;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// The system's OpenBLAS (Debian: <c>apt-get install libopenblas0</c>), found at run time with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> so the engine still works without it.
/// Calls <c>cblas_sgemm</c> in row-major order through an unmanaged function pointer.
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

    private OpenBlasGemm(IntPtr sgemm, string path)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        LibraryPath = path;
    }

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
                return new OpenBlasGemm(sgemm, candidate);
        }
        return null;
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
