using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FocusLab.Engine.Kernels.Gemm;

/// <summary>
/// Managed single-precision GEMM in the GotoBLAS/BLIS layout (Goto &amp; van de Geijn 2008):
/// op(B) is packed into KC×NR column slivers (one sliver stays in L1), op(A) into MR×KC row slivers
/// (an MC×KC block stays in L2), and a 6×16 register-tiled AVX2/FMA micro-kernel keeps twelve
/// 8-float accumulators in registers. Packing absorbs the transposes, so all four cases run the same
/// kernel. Work is split over cores by tiles of C.
///
/// Determinism: each element of C is computed by exactly one task, accumulating k in the same fixed
/// order (KC blocks in sequence, then k inside the block), so results are bitwise identical for any
/// thread count and any scheduling.
/// </summary>
public sealed unsafe class ManagedGemm : IGemmBackend
{
    internal const int MR = 6, NR = 16, KC = 256, MC = 96, NC = 3072, NB = 192;

    // Below this many multiply-adds a single thread is faster than waking the pool.
    private const long ParallelThreshold = 1L << 18;

    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;
    [ThreadStatic] private static float[]? t_packBlockA;

    /// <inheritdoc/>
    public string Name => "managed";

    /// <summary>True when the AVX2/FMA micro-kernel is used (otherwise a scalar fallback).</summary>
    public static bool UsesFma => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>Maximum number of worker tasks (default: <see cref="Parallelism.MaxDegreeOfParallelism"/>,
    /// i.e. all cores). Results do not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; set; }

    private ManagedGemm? _single;

    /// <summary>This back end limited to one thread (itself when already single-threaded), for products that run side by side.</summary>
    public IGemmBackend SingleThreaded => MaxDegreeOfParallelism == 1 ? this : _single ??= new ManagedGemm { MaxDegreeOfParallelism = 1 };

    private int Workers => MaxDegreeOfParallelism ?? (Parallelism.MaxDegreeOfParallelism > 0 ? Parallelism.MaxDegreeOfParallelism : Environment.ProcessorCount);

    /// <inheritdoc/>
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
            ScaleC(m, n, beta, pc, ldc);
            if (k == 0 || alpha == 0f) return;
            Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, pc, ldc);
        }
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear(); // BLAS semantics: beta = 0 ignores NaN/Inf already in C
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        int workers = Workers;
        bool parallel = (long)m * n * k >= ParallelThreshold && workers > 1;
        int mPanels = (m + MR - 1) / MR;
        var packA = Rent(ref t_packA, mPanels * MR * KC);
        var packB = Rent(ref t_packB, ((Math.Min(n, NC) + NR - 1) / NR) * NR * KC);
        fixed (float* ap = packA)
        fixed (float* bp = packB)
        {
            nint apn = (nint)ap, bpn = (nint)bp, an = (nint)a, bn = (nint)b, cn = (nint)c;
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                int nPanels = (nc + NR - 1) / NR;
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    int jc0 = jc, pc0 = pc;
                    // Pack B: panel j holds columns jc+j*NR.. as kc rows of NR floats.
                    if (parallel)
                        ForkJoin.Shared.For(nPanels, workers, j => PackB(transB, (float*)bn, ldb, pc0, kc, jc0 + j * NR, Math.Min(NR, jc0 + nc - (jc0 + j * NR)), (float*)bpn + (long)j * NR * kc));
                    else
                        for (int j = 0; j < nPanels; j++) PackB(transB, b, ldb, pc, kc, jc + j * NR, Math.Min(NR, jc + nc - (jc + j * NR)), bp + (long)j * NR * kc);
                    int mBlocks = (m + MC - 1) / MC, nBlocks = (nc + NB - 1) / NB;
                    if (parallel && mBlocks >= 2)
                    {
                        // One task per MC row block: it packs its own A block (kept hot in its core's
                        // L2) and sweeps every column of the B panel.
                        ForkJoin.Shared.For(mBlocks, workers, mb =>
                        {
                            int i0 = mb * MC, rows = Math.Min(MC, m - i0);
                            var local = Rent(ref t_packBlockA, MC * KC);
                            fixed (float* lp = local)
                            {
                                for (int i = 0; i < rows; i += MR)
                                    PackA(transA, (float*)an, lda, pc0, kc, i0 + i, Math.Min(MR, rows - i), lp + (long)(i / MR) * MR * kc);
                                Block(i0, i0 + rows, 0, nc, kc, alpha, lp, (float*)bpn, (float*)cn + jc0, ldc);
                            }
                        });
                        continue;
                    }
                    // Few rows: pack all of A once (panel i holds rows i*MR.. as kc columns of MR
                    // floats), then split the MC×NB tiles of C.
                    if (parallel)
                        ForkJoin.Shared.For(mPanels, workers, i => PackA(transA, (float*)an, lda, pc0, kc, i * MR, Math.Min(MR, m - i * MR), (float*)apn + (long)i * MR * kc));
                    else
                        for (int i = 0; i < mPanels; i++) PackA(transA, a, lda, pc, kc, i * MR, Math.Min(MR, m - i * MR), ap + (long)i * MR * kc);
                    int tasks = mBlocks * nBlocks;
                    if (parallel && tasks > 1)
                        ForkJoin.Shared.For(tasks, workers, t => Tile(t / nBlocks, t % nBlocks, m, nc, kc, alpha, (float*)apn, (float*)bpn, (float*)cn + jc0, ldc));
                    else
                        for (int t = 0; t < tasks; t++) Tile(t / nBlocks, t % nBlocks, m, nc, kc, alpha, ap, bp, c + jc, ldc);
                }
            }
        }
    }

    private static float[] Rent(ref float[]? cache, int length)
    {
        if (cache is null || cache.Length < length) cache = GC.AllocateUninitializedArray<float>(length, pinned: true);
        return cache;
    }

    /// <summary>One MC×NB tile of C, with A packed for all rows.</summary>
    private static void Tile(int mb, int nb, int m, int nc, int kc, float alpha, float* ap, float* bp, float* c, int ldc)
    {
        int i0 = mb * MC, i1 = Math.Min(m, i0 + MC);
        int j0 = nb * NB, j1 = Math.Min(nc, j0 + NB);
        Block(i0, i1, j0, j1, kc, alpha, ap + (long)(i0 / MR) * MR * kc, bp, c, ldc);
    }

    /// <summary>
    /// C[i0..i1, j0..j1] += alpha·A·B with <paramref name="aBlock"/> holding the packed panels of rows
    /// i0.. (i0 a multiple of MR) and <paramref name="bp"/> the packed panels of the whole B panel.
    /// B slivers outer (L1-resident), A slivers inner (L2-resident block). The arithmetic for an element
    /// of C does not depend on the block bounds, so any partition gives the same bits.
    /// </summary>
    private static void Block(int i0, int i1, int j0, int j1, int kc, float alpha, float* aBlock, float* bp, float* c, int ldc)
    {
        float* edge = stackalloc float[MR * NR];
        for (int j = j0; j < j1; j += NR)
        {
            int nr = Math.Min(NR, j1 - j);
            float* bs = bp + (long)(j / NR) * NR * kc;
            for (int i = i0; i < i1; i += MR)
            {
                int mr = Math.Min(MR, i1 - i);
                float* asl = aBlock + (long)((i - i0) / MR) * MR * kc;
                float* ct = c + (long)i * ldc + j;
                if (mr == MR && nr == NR)
                    Kernel(kc, asl, bs, ct, ldc, alpha);
                else
                {
                    new Span<float>(edge, MR * NR).Clear();
                    Kernel(kc, asl, bs, edge, NR, alpha);
                    for (int r = 0; r < mr; r++)
                        for (int q = 0; q < nr; q++)
                            ct[(long)r * ldc + q] += edge[r * NR + q];
                }
            }
        }
    }

    private static void PackA(bool trans, float* a, int lda, int p0, int kc, int i0, int mr, float* dst)
    {
        // dst[p*MR + r] = op(A)[i0 + r, p0 + p]; rows beyond mr are zero.
        for (int p = 0; p < kc; p++)
        {
            float* d = dst + p * MR;
            int r = 0;
            if (trans)
            {
                float* src = a + (long)(p0 + p) * lda + i0;
                for (; r < mr; r++) d[r] = src[r];
            }
            else
            {
                for (; r < mr; r++) d[r] = a[(long)(i0 + r) * lda + p0 + p];
            }
            for (; r < MR; r++) d[r] = 0f;
        }
    }

    private static void PackB(bool trans, float* b, int ldb, int p0, int kc, int j0, int nr, float* dst)
    {
        // dst[p*NR + q] = op(B)[p0 + p, j0 + q]; columns beyond nr are zero.
        if (!trans && nr == NR)
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (long)(p0 + p) * ldb + j0;
                Vector256.Store(Vector256.Load(src), dst + p * NR);
                Vector256.Store(Vector256.Load(src + 8), dst + p * NR + 8);
            }
            return;
        }
        for (int p = 0; p < kc; p++)
        {
            float* d = dst + p * NR;
            int q = 0;
            if (trans)
                for (; q < nr; q++) d[q] = b[(long)(j0 + q) * ldb + p0 + p];
            else
            {
                float* src = b + (long)(p0 + p) * ldb + j0;
                for (; q < nr; q++) d[q] = src[q];
            }
            for (; q < NR; q++) d[q] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        if (Fma.IsSupported && Avx2.IsSupported) KernelFma(kc, a, b, c, ldc, alpha);
        else KernelScalar(kc, a, b, c, ldc, alpha);
    }

    /// <summary>C[6×16] += alpha · Apanel[6×kc] · Bpanel[kc×16], all twelve accumulators in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelFma(int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var x = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            a += MR; b += NR;
        }
        var al = Vector256.Create(alpha);
        Store(c, al, c00, c01); c += ldc;
        Store(c, al, c10, c11); c += ldc;
        Store(c, al, c20, c21); c += ldc;
        Store(c, al, c30, c31); c += ldc;
        Store(c, al, c40, c41); c += ldc;
        Store(c, al, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> alpha, Vector256<float> lo, Vector256<float> hi)
    {
        Avx.Store(c, Fma.MultiplyAdd(alpha, lo, Avx.LoadVector256(c)));
        Avx.Store(c + 8, Fma.MultiplyAdd(alpha, hi, Avx.LoadVector256(c + 8)));
    }

    /// <summary>Portable fallback with the same summation order as the FMA kernel (up to FMA rounding).</summary>
    private static void KernelScalar(int kc, float* a, float* b, float* c, int ldc, float alpha)
    {
        float* acc = stackalloc float[MR * NR];
        new Span<float>(acc, MR * NR).Clear();
        for (int p = 0; p < kc; p++, a += MR, b += NR)
            for (int r = 0; r < MR; r++)
            {
                float x = a[r];
                for (int q = 0; q < NR; q++) acc[r * NR + q] += x * b[q];
            }
        for (int r = 0; r < MR; r++)
            for (int q = 0; q < NR; q++) c[(long)r * ldc + q] += alpha * acc[r * NR + q];
    }
}
