using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Batch normalisation over the batch dimension of [rows, channels] (Ioffe &amp; Szegedy 2015, Alg. 1):
/// training normalises with the batch mean and biased variance and updates running statistics with
/// the unbiased variance (PyTorch's convention, momentum 0.1); evaluation uses the running statistics.
///
/// The statistics are computed per fixed chunk of <see cref="ColumnReduction.RowsPerChunk"/> rows
/// (chunk mean, then the chunk's centred sum of squares while the chunk is still in cache) and the
/// chunks are merged in chunk order with Chan, Golub &amp; LeVeque's pairwise update (1979):
/// δ = μ_B − μ_A, μ = μ_A + δ·n_B/n, M₂ = M₂_A + M₂_B + δ²·n_A·n_B/n. That is as stable as two passes
/// over the whole batch but reads the input from memory once for the statistics and once for x̂ and y.
/// Chunks depend on the row count only, so results do not depend on the thread count. Gradient sums
/// use <see cref="ColumnReduction"/>. Scratch is per thread and reused (no allocation once warm).
/// </summary>
public static class BatchNorm
{
    /// <summary>Keys this kernel's per-thread scratch (<see cref="ThreadScratch{TOwner, T}"/>).</summary>
    private sealed class Scratch;

    private const int Chunk = ColumnReduction.RowsPerChunk;

    /// <summary>Training forward; writes x̂ (normalised input), per-channel 1/√(σ²+ε) and, unless
    /// <paramref name="y"/> is null, y = x̂·w + b (a fused consumer may apply w and b itself).</summary>
    public static void ForwardTrain<T>(T[] x, T[]? w, T[]? b, T[]? y, T[] xhat, T[] rstd, T[]? runningMean, T[]? runningVar,
        int rows, int c, T eps, T momentum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows < 2) throw new ArgumentException($"BatchNorm1d in training mode needs at least 2 rows per batch (got {rows}); use a larger batch or evaluation mode.");
        int chunks = (rows + Chunk - 1) / Chunk;
        // Per chunk k: mean at [2k·c, 2k·c + c), M₂ at [2k·c + c, 2(k+1)·c); then mean and variance of the batch.
        var stats = ThreadScratch<Scratch, T>.Get(2 * chunks * c + 2 * c);
        if (chunks > 1 && (long)rows * c >= 2 * Parallelism.MinimumParallelWork)
            Parallelism.For(chunks, k => ChunkStatistics(x, stats, rows, c, k));
        else
            for (int k = 0; k < chunks; k++) ChunkStatistics(x, stats, rows, c, k);
        var mean = stats.AsSpan(2 * chunks * c, c);
        var variance = stats.AsSpan(2 * chunks * c + c, c);
        stats.AsSpan(0, c).CopyTo(mean);
        stats.AsSpan(c, c).CopyTo(variance); // M₂ so far
        int merged = Math.Min(rows, Chunk);
        for (int k = 1; k < chunks; k++)
        {
            int nb = Math.Min(rows, (k + 1) * Chunk) - k * Chunk, n = merged + nb;
            T fb = T.CreateTruncating(nb) / T.CreateTruncating(n);
            T fab = T.CreateTruncating((double)merged * nb / n);
            var mb = stats.AsSpan(2 * k * c, c); var m2b = stats.AsSpan(2 * k * c + c, c);
            for (int j = 0; j < c; j++)
            {
                T delta = mb[j] - mean[j];
                mean[j] += delta * fb;
                variance[j] += m2b[j] + delta * delta * fab;
            }
            merged = n;
        }
        T count = T.CreateTruncating(rows);
        for (int j = 0; j < c; j++)
        {
            variance[j] /= count;
            rstd[j] = T.One / T.Sqrt(variance[j] + eps);
        }
        var meanArray = stats; int meanOffset = 2 * chunks * c;
        Parallelism.ForRows(rows, c, (r0, r1) => Normalize(x, meanArray, meanOffset, rstd, w, b, xhat, y, c, r0, r1));
        if (runningMean is null || runningVar is null) return;
        T unbias = count / (count - T.One);
        for (int j = 0; j < c; j++)
        {
            runningMean[j] = (T.One - momentum) * runningMean[j] + momentum * mean[j];
            runningVar[j] = (T.One - momentum) * runningVar[j] + momentum * variance[j] * unbias;
        }
    }

    /// <summary>Mean and centred sum of squares of rows [k·Chunk, min(rows, (k+1)·Chunk)) per channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChunkStatistics<T>(T[] x, T[] stats, int rows, int c, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r0 = k * Chunk, r1 = Math.Min(rows, r0 + Chunk);
        var mean = stats.AsSpan(2 * k * c, c);
        var m2 = stats.AsSpan(2 * k * c + c, c);
        mean.Clear(); m2.Clear();
        for (int r = r0; r < r1; r++) AddInto(mean, x.AsSpan(r * c, c));
        T inv = T.One / T.CreateTruncating(r1 - r0);
        for (int j = 0; j < c; j++) mean[j] *= inv;
        for (int r = r0; r < r1; r++) AddSquaredDeviations(m2, x.AsSpan(r * c, c), mean);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddInto<T>(Span<T> acc, ReadOnlySpan<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (v.Length < acc.Length) throw new ArgumentException("Operand shorter than the accumulator.", nameof(v));
        ref T ar = ref MemoryMarshal.GetReference(acc);
        ref T vr = ref MemoryMarshal.GetReference(v);
        int i = 0, lanes = Vector256<T>.Count, n = acc.Length;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - lanes; i += lanes)
                (Vector256.LoadUnsafe(ref ar, (nuint)i) + Vector256.LoadUnsafe(ref vr, (nuint)i)).StoreUnsafe(ref ar, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref ar, i) += Unsafe.Add(ref vr, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSquaredDeviations<T>(Span<T> acc, ReadOnlySpan<T> v, ReadOnlySpan<T> mean) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (v.Length < acc.Length || mean.Length < acc.Length) throw new ArgumentException("Operands shorter than the accumulator.");
        ref T ar = ref MemoryMarshal.GetReference(acc);
        ref T vr = ref MemoryMarshal.GetReference(v);
        ref T mr = ref MemoryMarshal.GetReference(mean);
        int i = 0, lanes = Vector256<T>.Count, n = acc.Length;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - lanes; i += lanes)
            {
                var d = Vector256.LoadUnsafe(ref vr, (nuint)i) - Vector256.LoadUnsafe(ref mr, (nuint)i);
                VectorMath.Fma(d, d, Vector256.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref ar, (nuint)i);
            }
        for (; i < n; i++) { T d = Unsafe.Add(ref vr, i) - Unsafe.Add(ref mr, i); Unsafe.Add(ref ar, i) += d * d; }
    }

    /// <summary>x̂ = (x − μ)·rstd, y = x̂·w + b for rows [r0, r1) (x̂ only when y is null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Normalize<T>(T[] x, T[] meanArray, int meanOffset, T[] rstd, T[]? w, T[]? b, T[] xhat, T[]? y, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r1 <= r0) return;
        bool affine = y is not null && w is not null && b is not null;
        // Without the affine map the w, b and y references stand in for rstd and x̂ and are never read or written.
        T[] output = affine ? y! : xhat;
        ref T mr = ref meanArray.AsSpan(meanOffset, c)[0];
        ref T rr = ref rstd.AsSpan(0, c)[0];
        ref T wr = ref (affine ? w! : rstd).AsSpan(0, c)[0]; ref T br = ref (affine ? b! : rstd).AsSpan(0, c)[0];
        _ = x.AsSpan(r0 * c, (r1 - r0) * c); _ = xhat.AsSpan(r0 * c, (r1 - r0) * c); _ = output.AsSpan(r0 * c, (r1 - r0) * c); // bounds
        int lanes = Vector256<T>.Count;
        int cv = Vector256.IsHardwareAccelerated ? c - c % lanes : 0;
        for (int r = r0; r < r1; r++)
        {
            ref T xr = ref x[r * c]; ref T hr = ref xhat[r * c]; ref T yr = ref output[r * c];
            int j = 0;
            for (; j < cv; j += lanes)
            {
                var h = (Vector256.LoadUnsafe(ref xr, (nuint)j) - Vector256.LoadUnsafe(ref mr, (nuint)j)) * Vector256.LoadUnsafe(ref rr, (nuint)j);
                h.StoreUnsafe(ref hr, (nuint)j);
                if (affine) VectorMath.Fma(h, Vector256.LoadUnsafe(ref wr, (nuint)j), Vector256.LoadUnsafe(ref br, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
            }
            for (; j < c; j++)
            {
                T h = (Unsafe.Add(ref xr, j) - Unsafe.Add(ref mr, j)) * Unsafe.Add(ref rr, j);
                Unsafe.Add(ref hr, j) = h;
                if (affine) Unsafe.Add(ref yr, j) = h * Unsafe.Add(ref wr, j) + Unsafe.Add(ref br, j);
            }
        }
    }

    /// <summary>Evaluation forward with running statistics; writes x̂, 1/√(running σ²+ε) and, unless
    /// <paramref name="y"/> is null, y.</summary>
    public static void ForwardEval<T>(T[] x, T[]? w, T[]? b, T[]? y, T[] xhat, T[] rstd, T[] runningMean, T[] runningVar,
        int rows, int c, T eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < c; j++) rstd[j] = T.One / T.Sqrt(runningVar[j] + eps);
        Parallelism.ForRows(rows, c, (r0, r1) => Normalize(x, runningMean, 0, rstd, w, b, xhat, y, c, r0, r1));
    }

    /// <summary>
    /// Backward. Training: dx = rstd/N·(N·ĝ − Σĝ − x̂·Σ(ĝ⊙x̂)) with ĝ = dy⊙w (the batch statistics depend
    /// on x). Evaluation: dx = ĝ·rstd. Both: dw += Σ dy⊙x̂, db += Σ dy.
    /// </summary>
    public static void Backward<T>(T[] xhat, T[] rstd, T[] w, T[] dy, T[]? dx, T[]? dw, T[]? db, int rows, int c, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Scratch: [Σ dy, Σ dy⊙x̂] then the per-channel coefficients a, m, k of dx.
        var scratch = ThreadScratch<Scratch, T>.Get(5 * c);
        var sums = scratch.AsSpan(0, 2 * c);
        sums.Clear();
        ColumnReduction.Sum<T>(rows, 2 * c, (int r0, int r1, Span<T> part) => GradientSums(xhat, dy, part, c, r0, r1), sums);
        var sumDy = scratch.AsSpan(0, c);
        var sumDyXhat = scratch.AsSpan(c, c);
        if (dw is not null) AddInto(dw.AsSpan(0, c), sumDyXhat);
        if (db is not null) AddInto(db.AsSpan(0, c), sumDy);
        if (dx is null) return;
        InputGradientCoefficients(rstd, w, sumDyXhat, sumDy, gradientIncludesWeight: false, scratch, 2 * c, rows, c, training);
        Parallelism.ForRows(rows, c, (r0, r1) => InputGradient(xhat, dy, dx, scratch, 2 * c, c, r0, r1));
    }

    /// <summary>
    /// Per-channel coefficients of dx = a⊙g + m⊙x̂ + k into coefficients[offset..offset + 3c), from the
    /// sums Σ dy⊙x̂ and Σ dy of the output gradient dy: g is dy (a = w·rstd) or, when
    /// <paramref name="gradientIncludesWeight"/>, dy⊙w already (a = rstd). In training, where the batch
    /// statistics depend on x, m = −w·rstd·Σ(dy⊙x̂)/N and k = −w·rstd·Σdy/N; in evaluation both are 0.
    /// </summary>
    internal static void InputGradientCoefficients<T>(T[] rstd, T[] w, ReadOnlySpan<T> sumDyXhat, ReadOnlySpan<T> sumDy,
        bool gradientIncludesWeight, T[] coefficients, int offset, int rows, int c, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(rows);
        var a = coefficients.AsSpan(offset, c); var m = coefficients.AsSpan(offset + c, c); var k = coefficients.AsSpan(offset + 2 * c, c);
        for (int j = 0; j < c; j++)
        {
            T scaled = w[j] * rstd[j];
            a[j] = gradientIncludesWeight ? rstd[j] : scaled;
            m[j] = training ? -scaled * sumDyXhat[j] / count : T.Zero;
            k[j] = training ? -scaled * sumDy[j] / count : T.Zero;
        }
    }

    /// <summary>dx += a⊙g + m⊙x̂ + k with per-channel a, m, k at coefficients[offset..offset + 3c), over all rows.</summary>
    internal static void AddInputGradient<T>(T[] xhat, T[] g, T[] dx, T[] coefficients, int offset, int rows, int c) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, c, (r0, r1) => InputGradient(xhat, g, dx, coefficients, offset, c, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientSums<T>(T[] xhat, T[] dy, Span<T> part, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r1 <= r0) return;
        ref T sdy = ref part[..(2 * c)][0];
        ref T sdx = ref Unsafe.Add(ref sdy, c);
        _ = xhat.AsSpan(r0 * c, (r1 - r0) * c); _ = dy.AsSpan(r0 * c, (r1 - r0) * c); // bounds
        int lanes = Vector256<T>.Count;
        int cv = Vector256.IsHardwareAccelerated ? c - c % lanes : 0;
        for (int r = r0; r < r1; r++)
        {
            ref T dyr = ref dy[r * c]; ref T hr = ref xhat[r * c];
            int j = 0;
            for (; j < cv; j += lanes)
            {
                var d = Vector256.LoadUnsafe(ref dyr, (nuint)j);
                (Vector256.LoadUnsafe(ref sdy, (nuint)j) + d).StoreUnsafe(ref sdy, (nuint)j);
                VectorMath.Fma(d, Vector256.LoadUnsafe(ref hr, (nuint)j), Vector256.LoadUnsafe(ref sdx, (nuint)j)).StoreUnsafe(ref sdx, (nuint)j);
            }
            for (; j < c; j++)
            {
                T d = Unsafe.Add(ref dyr, j);
                Unsafe.Add(ref sdy, j) += d;
                Unsafe.Add(ref sdx, j) += d * Unsafe.Add(ref hr, j);
            }
        }
    }

    /// <summary>dx += a⊙dy + m⊙x̂ + k for rows [r0, r1); coefficients a, m, k at coefficients[offset..offset + 3c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradient<T>(T[] xhat, T[] dy, T[] dx, T[] coefficients, int offset, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r1 <= r0) return;
        ref T a = ref coefficients.AsSpan(offset, 3 * c)[0];
        ref T m = ref Unsafe.Add(ref a, c);
        ref T k = ref Unsafe.Add(ref a, 2 * c);
        _ = xhat.AsSpan(r0 * c, (r1 - r0) * c); _ = dy.AsSpan(r0 * c, (r1 - r0) * c); _ = dx.AsSpan(r0 * c, (r1 - r0) * c); // bounds
        int lanes = Vector256<T>.Count;
        int cv = Vector256.IsHardwareAccelerated ? c - c % lanes : 0;
        for (int r = r0; r < r1; r++)
        {
            ref T dyr = ref dy[r * c]; ref T hr = ref xhat[r * c]; ref T dxr = ref dx[r * c];
            int j = 0;
            for (; j < cv; j += lanes)
            {
                var v = VectorMath.Fma(Vector256.LoadUnsafe(ref a, (nuint)j), Vector256.LoadUnsafe(ref dyr, (nuint)j), Vector256.LoadUnsafe(ref k, (nuint)j));
                v = VectorMath.Fma(Vector256.LoadUnsafe(ref m, (nuint)j), Vector256.LoadUnsafe(ref hr, (nuint)j), v);
                (Vector256.LoadUnsafe(ref dxr, (nuint)j) + v).StoreUnsafe(ref dxr, (nuint)j);
            }
            for (; j < c; j++)
                Unsafe.Add(ref dxr, j) += Unsafe.Add(ref a, j) * Unsafe.Add(ref dyr, j) + Unsafe.Add(ref m, j) * Unsafe.Add(ref hr, j) + Unsafe.Add(ref k, j);
        }
    }
}
