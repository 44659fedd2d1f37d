using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Layer normalisation over the last dimension (Ba, Kiros &amp; Hinton 2016):
/// y = (x − μ)/√(σ² + ε) · w + b, with the biased variance. Stores μ and 1/√(σ²+ε) per row.
/// Rows are short (the model width), so each row is one fused loop nest over Vector256 lanes
/// (two-pass mean and variance, then the affine map) rather than a chain of library calls, and the
/// backward pass computes dx and the parameter sums in the same sweep over the rows.
/// </summary>
public static class LayerNorm
{
    /// <summary>Keys this kernel's per-thread scratch (<see cref="ThreadScratch{TOwner, T}"/>).</summary>
    private sealed class Scratch;

    /// <summary>y = LayerNorm(x)·w + b over [rows, n] (b may be null), storing each row's μ and 1/√(σ²+ε) for the backward pass.</summary>
    public static void Forward<T>(T[] x, T[] w, T[]? b, T[] y, T[] mean, T[] rstd, int rows, int n, T eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(rows, n, x, w, b, y, mean, rstd);
        Parallelism.ForRows(rows, 4 * n, (r0, r1) => ForwardRows(x, w, b, y, mean, rstd, n, eps, r0, r1));
    }

    /// <summary>The row loops index without bounds checks past each row's start, so lengths are checked once here.</summary>
    private static void CheckLengths<T>(int rows, int n, T[] x, T[] w, T[]? b, T[] y, T[] mean, T[] rstd, T[]? dx = null, T[]? dw = null, T[]? db = null)
    {
        if (rows < 0 || n <= 0) throw new ArgumentException($"LayerNorm needs rows ≥ 0 and a positive width (got {rows} × {n}).");
        long need = (long)rows * n;
        if (x.Length < need || y.Length < need || (dx is not null && dx.Length < need))
            throw new ArgumentException($"LayerNorm buffers are shorter than {rows} rows × {n}.");
        if (w.Length < n || (b is not null && b.Length < n) || (dw is not null && dw.Length < n) || (db is not null && db.Length < n))
            throw new ArgumentException($"LayerNorm parameter buffers are shorter than the width {n}.");
        if (mean.Length < rows || rstd.Length < rows)
            throw new ArgumentException($"LayerNorm statistics buffers are shorter than {rows} rows.");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<T>(T[] x, T[] w, T[]? b, T[] y, T[] mean, T[] rstd, int n, T eps, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(n);
        int lanes = Vector256<T>.Count;
        int nv = Vector256.IsHardwareAccelerated ? n - n % lanes : 0;
        ref T wr = ref w[0];
        ref T br = ref b is null ? ref Unsafe.NullRef<T>() : ref b[0];
        for (int r = r0; r < r1; r++)
        {
            ref T xr = ref x[r * n];
            ref T yr = ref y[r * n];
            var acc = Vector256<T>.Zero;
            int i = 0;
            for (; i < nv; i += lanes) acc += Vector256.LoadUnsafe(ref xr, (nuint)i);
            T sum = Vector256.Sum(acc);
            for (; i < n; i++) sum += Unsafe.Add(ref xr, i);
            T mu = sum / count;
            var vmu = Vector256.Create(mu);
            acc = Vector256<T>.Zero;
            for (i = 0; i < nv; i += lanes)
            {
                var d = Vector256.LoadUnsafe(ref xr, (nuint)i) - vmu;
                acc = VectorMath.Fma(d, d, acc);
            }
            T ss = Vector256.Sum(acc);
            for (; i < n; i++) { T d = Unsafe.Add(ref xr, i) - mu; ss += d * d; }
            T rs = T.One / T.Sqrt(ss / count + eps);
            var vrs = Vector256.Create(rs);
            for (i = 0; i < nv; i += lanes)
            {
                var h = (Vector256.LoadUnsafe(ref xr, (nuint)i) - vmu) * vrs * Vector256.LoadUnsafe(ref wr, (nuint)i);
                if (b is not null) h += Vector256.LoadUnsafe(ref br, (nuint)i);
                h.StoreUnsafe(ref yr, (nuint)i);
            }
            for (; i < n; i++)
            {
                T h = (Unsafe.Add(ref xr, i) - mu) * rs * Unsafe.Add(ref wr, i);
                Unsafe.Add(ref yr, i) = b is null ? h : h + Unsafe.Add(ref br, i);
            }
            mean[r] = mu; rstd[r] = rs;
        }
    }

    /// <summary>
    /// dx += rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = dy⊙w; dw += Σ dy⊙x̂; db += Σ dy
    /// (the parameter sums through <see cref="ColumnReduction"/> in fixed row chunks, deterministic;
    /// dx rows are written in the same sweep).
    /// </summary>
    public static void Backward<T>(T[] x, T[] w, T[] mean, T[] rstd, T[] dy, T[]? dx, T[]? dw, T[]? db, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(rows, n, x, w, null, dy, mean, rstd, dx, dw, db);
        if (dw is null && db is null)
        {
            if (dx is not null) Parallelism.ForRows(rows, 4 * n, (r0, r1) => BackwardRows(x, w, mean, rstd, dy, dx, default, n, r0, r1));
            return;
        }
        var sums = ThreadScratch<Scratch, T>.Get(2 * n).AsSpan(0, 2 * n);
        sums.Clear();
        ColumnReduction.Sum<T>(rows, 2 * n, (int r0, int r1, Span<T> part) => BackwardRows(x, w, mean, rstd, dy, dx, part, n, r0, r1), sums);
        if (dw is not null) TensorPrimitives.Add(dw.AsSpan(0, n), sums[..n], dw.AsSpan(0, n));
        if (db is not null) TensorPrimitives.Add(db.AsSpan(0, n), sums.Slice(n, n), db.AsSpan(0, n));
    }

    /// <summary>Rows [r0, r1): dx (when given) and, when <paramref name="part"/> is not empty,
    /// part[0..n) += dy⊙x̂ and part[n..2n) += dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<T>(T[] x, T[] w, T[] mean, T[] rstd, T[] dy, T[]? dx, Span<T> part, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(n);
        int lanes = Vector256<T>.Count;
        int nv = Vector256.IsHardwareAccelerated ? n - n % lanes : 0;
        bool sums = !part.IsEmpty;
        ref T wr = ref w[0];
        ref T dwp = ref sums ? ref MemoryMarshal.GetReference(part) : ref Unsafe.NullRef<T>();
        ref T dbp = ref sums ? ref Unsafe.Add(ref dwp, n) : ref Unsafe.NullRef<T>();
        for (int r = r0; r < r1; r++)
        {
            ref T xr = ref x[r * n];
            ref T dyr = ref dy[r * n];
            T mu = mean[r], rs = rstd[r];
            var vmu = Vector256.Create(mu); var vrs = Vector256.Create(rs);
            // Pass 1: Σĝ and Σĝ⊙x̂ for dx, and the parameter partials.
            var sg = Vector256<T>.Zero; var sgx = Vector256<T>.Zero;
            int i = 0;
            for (; i < nv; i += lanes)
            {
                var xh = (Vector256.LoadUnsafe(ref xr, (nuint)i) - vmu) * vrs;
                var d = Vector256.LoadUnsafe(ref dyr, (nuint)i);
                var g = d * Vector256.LoadUnsafe(ref wr, (nuint)i);
                sg += g;
                sgx = VectorMath.Fma(g, xh, sgx);
                if (sums)
                {
                    VectorMath.Fma(d, xh, Vector256.LoadUnsafe(ref dwp, (nuint)i)).StoreUnsafe(ref dwp, (nuint)i);
                    (Vector256.LoadUnsafe(ref dbp, (nuint)i) + d).StoreUnsafe(ref dbp, (nuint)i);
                }
            }
            T gSum = Vector256.Sum(sg), gxSum = Vector256.Sum(sgx);
            for (; i < n; i++)
            {
                T xh = (Unsafe.Add(ref xr, i) - mu) * rs, d = Unsafe.Add(ref dyr, i), g = d * Unsafe.Add(ref wr, i);
                gSum += g; gxSum += g * xh;
                if (sums) { Unsafe.Add(ref dwp, i) += d * xh; Unsafe.Add(ref dbp, i) += d; }
            }
            if (dx is null) continue;
            // Pass 2: dx += rstd·(ĝ − mean ĝ − x̂·mean(ĝ⊙x̂)).
            T gm = gSum / count, gxm = gxSum / count;
            var vgm = Vector256.Create(gm); var vgxm = Vector256.Create(gxm);
            ref T dxr = ref dx[r * n];
            for (i = 0; i < nv; i += lanes)
            {
                var xh = (Vector256.LoadUnsafe(ref xr, (nuint)i) - vmu) * vrs;
                var g = Vector256.LoadUnsafe(ref dyr, (nuint)i) * Vector256.LoadUnsafe(ref wr, (nuint)i);
                var v = g - vgm - xh * vgxm;
                VectorMath.Fma(v, vrs, Vector256.LoadUnsafe(ref dxr, (nuint)i)).StoreUnsafe(ref dxr, (nuint)i);
            }
            for (; i < n; i++)
            {
                T xh = (Unsafe.Add(ref xr, i) - mu) * rs, g = Unsafe.Add(ref dyr, i) * Unsafe.Add(ref wr, i);
                Unsafe.Add(ref dxr, i) += (g - gm - xh * gxm) * rs;
            }
        }
    }
}
