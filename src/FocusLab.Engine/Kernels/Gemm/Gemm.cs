using System.Numerics;
using System.Runtime.InteropServices;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// The one entry point for matrix products. Float32 products go to the active back end: OpenBLAS when
/// <c>libopenblas.so.0</c> can be loaded (Debian: <c>apt-get install libopenblas0</c>), otherwise the
/// managed AVX2/FMA kernel. <c>FOCUSLAB_GEMM=managed|openblas</c> forces one. Float64 products (used by
/// gradient checks and Hessian-vector products) always run <see cref="ManagedDoubleGemm"/>.
///
/// Determinism: both back ends give bitwise-identical results for any thread count. The managed
/// kernel sums each C element in one task in a fixed k order; OpenBLAS runs single-threaded on row
/// or column blocks of C whose size depends only on the shape and the machine's processor count. OpenBLAS results can still differ between
/// machines (its kernels depend on the detected core type, e.g. OPENBLAS_CORETYPE) and between
/// OpenBLAS versions. Every other engine kernel partitions work by fixed chunk sizes, never by the
/// number of threads.
/// </summary>
public static class Gemm
{
    /// <summary>The environment variable that forces a back end: <c>managed</c>, <c>openblas</c> or <c>auto</c> (the default: OpenBLAS when installed).</summary>
    public const string EnvironmentVariable = "FOCUSLAB_GEMM";

    private static readonly Lazy<IGemmBackend> s_default = new(SelectDefault);
    private static IGemmBackend? s_override;

    /// <summary>The back end float32 products use now.</summary>
    public static IGemmBackend Backend => s_override ?? s_default.Value;

    /// <summary>"openblas" or "managed".</summary>
    public static string BackendName => Backend.Name;

    /// <summary>Replaces the back end for this process (null restores the default choice).</summary>
    public static void UseBackend(IGemmBackend? backend) => s_override = backend;

    /// <summary>Creates a back end by name; throws with an install hint when OpenBLAS is missing.</summary>
    public static IGemmBackend Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "managed" => new ManagedGemm(),
        "openblas" => OpenBlasGemm.TryLoad() ?? throw new InvalidOperationException(
            "OpenBLAS was requested but libopenblas.so.0 could not be loaded. Install it with `sudo apt-get install libopenblas0`, or use FOCUSLAB_GEMM=managed."),
        "auto" or "" => (IGemmBackend?)OpenBlasGemm.TryLoad() ?? new ManagedGemm(),
        _ => throw new ArgumentException($"Unknown GEMM back end '{name}'; valid values are managed, openblas, auto."),
    };

    private static IGemmBackend SelectDefault() => Create(Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "auto");

    /// <summary>C = alpha·op(A)·op(B) + beta·C (row-major) for float or double.</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Backend.Sgemm(transA, transB, m, n, k, float.CreateTruncating(alpha), MemoryMarshal.Cast<T, float>(a), lda,
                MemoryMarshal.Cast<T, float>(b), ldb, float.CreateTruncating(beta), MemoryMarshal.Cast<T, float>(c), ldc);
        else
            ManagedDoubleGemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>Dense product of contiguous matrices: C[m,n] = op(A)·op(B) (+ C when accumulate).</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(transA, transB, m, n, k, T.One, a, transA ? m : k, b, transB ? k : n, accumulate ? T.One : T.Zero, c, n);

    /// <summary>Each product of <see cref="MultiplyConcurrently{T}"/> below this many multiply-adds
    /// (about 10 µs) is not worth a hand-off to another core.</summary>
    internal const long ConcurrentThreshold = 1L << 19;

    /// <summary>
    /// Two independent dense products (e.g. dx and dW of a linear layer's backward pass) run at the
    /// same time, each single-threaded on its own core, instead of one after the other with each
    /// split over the cores: one hand-off instead of two, and each product runs whole (no repacked
    /// operands). Whether they run concurrently depends only on their sizes; each product is computed
    /// by the same single call either way, so results do not depend on the thread count. Small
    /// products and float64 run in order on the calling thread.
    /// </summary>
    public static void MultiplyConcurrently<T>(GemmTask<T> first, GemmTask<T> second) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float))
        {
            first.Run();
            second.Run();
            return;
        }
        bool concurrent = first.MultiplyAdds >= ConcurrentThreshold && second.MultiplyAdds >= ConcurrentThreshold;
        if (!concurrent)
        {
            first.Run();
            second.Run();
            return;
        }
        var backend = Backend;
        Parallelism.For(2, i => Serial(backend, i == 0 ? first : second));
    }

    private static void Serial<T>(IGemmBackend backend, GemmTask<T> task) where T : unmanaged, IFloatingPointIeee754<T>
    {
        backend.SingleThreaded.Sgemm(task.TransA, task.TransB, task.M, task.N, task.K, 1f,
            MemoryMarshal.Cast<T, float>(task.A.AsSpan(0, task.LengthA)), task.TransA ? task.M : task.K,
            MemoryMarshal.Cast<T, float>(task.B.AsSpan(0, task.LengthB)), task.TransB ? task.K : task.N,
            task.Accumulate ? 1f : 0f, MemoryMarshal.Cast<T, float>(task.C.AsSpan(0, task.M * task.N)), task.N);
    }

    /// <summary>Batched product of contiguous matrices: for each i &lt; batch, C_i = op(A_i)·op(B_i) (+ C_i).
    /// A stride of 0 broadcasts one matrix over the batch.</summary>
    public static void MultiplyBatched<T>(int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int strideA, ReadOnlySpan<T> b, int strideB, Span<T> c, int strideC, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < batch; i++)
            Multiply(transA, transB, m, n, k, a.Slice(i * strideA, m * k), b.Slice(i * strideB, k * n), c.Slice(i * strideC, m * n), accumulate);
    }
}

/// <summary>C[m,n] = op(A)·op(B) (+ C when <see cref="Accumulate"/>) on contiguous matrices at the
/// start of the arrays; a unit of work for <see cref="Gemm.MultiplyConcurrently{T}"/>.</summary>
public readonly record struct GemmTask<T>(bool TransA, bool TransB, int M, int N, int K, T[] A, T[] B, T[] C, bool Accumulate)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal long MultiplyAdds => (long)M * N * K;

    internal int LengthA => M * K;

    internal int LengthB => K * N;

    internal void Run() => Gemm.Multiply<T>(TransA, TransB, M, N, K, A.AsSpan(0, LengthA), B.AsSpan(0, LengthB), C.AsSpan(0, M * N), Accumulate);
}
