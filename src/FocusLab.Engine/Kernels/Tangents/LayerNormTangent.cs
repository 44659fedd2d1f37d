using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels.Tangents;

/// <summary>
/// Tangents of layer normalisation (<see cref="LayerNorm"/>) per row of n: x̂ = (x − μ)·r,
/// r = (σ² + ε)^(−1/2), y = x̂⊙w + b. With a = mean(x̂⊙ẋ):
///   ṙ = −r²·a,   x̂̇ = r·(ẋ − mean(ẋ) − x̂·a),   ẏ = x̂̇⊙w + x̂⊙ẇ + ḃ.
/// The backward dx = r·(ĝ − mean ĝ − x̂·mean(ĝ⊙x̂)), ĝ = dy⊙w, differentiates (product rule) to
///   (dx)˙ += ṙ·(ĝ − mean ĝ − x̂·mean(ĝx̂)) + r·(ĝ̇ − mean ĝ̇ − x̂̇·mean(ĝx̂) − x̂·mean(ĝ̇x̂ + ĝx̂̇)),
/// ĝ̇ = (dy)˙⊙w + dy⊙ẇ; and dw += Σ dy⊙x̂, db += Σ dy to (dw)˙ += Σ((dy)˙⊙x̂ + dy⊙x̂̇), (db)˙ += Σ(dy)˙.
/// x̂, x̂̇ and ṙ are recomputed per row from x, μ, r and ẋ (no extra buffers). Null tangents are zero.
/// </summary>
public static class LayerNormTangent
{
    /// <summary>ẏ per row from x, the stored μ and r, and the tangents ẋ, ẇ, ḃ (null ones are zero).</summary>
    public static void Forward<T>(T[] x, T[] w, T[]? xDot, T[]? wDot, T[]? bDot, T[] mean, T[] rstd, T[] yDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) =>
        {
            var xhat = new T[n]; var xhatDot = new T[n];
            for (int r = r0; r < r1; r++)
            {
                Normalised(x, xDot, mean, rstd, r, n, xhat, xhatDot);
                var yd = yDot.AsSpan(r * n, n);
                TensorPrimitives.Multiply(xhatDot, w.AsSpan(0, n), yd);
                if (wDot is not null) TensorPrimitives.MultiplyAdd(xhat, wDot.AsSpan(0, n), yd, yd);
                if (bDot is not null) TensorPrimitives.Add(yd, bDot.AsSpan(0, n), yd);
            }
        });

    /// <summary>x̂ and x̂̇ of row r; returns ṙ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Normalised<T>(T[] x, T[]? xDot, T[] mean, T[] rstd, int r, int n, Span<T> xhat, Span<T> xhatDot) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T rs = rstd[r], count = T.CreateTruncating(n);
        TensorPrimitives.Subtract(x.AsSpan(r * n, n), mean[r], xhat);
        TensorPrimitives.Multiply(xhat, rs, xhat);
        if (xDot is null) { xhatDot.Clear(); return T.Zero; }
        var xd = xDot.AsSpan(r * n, n);
        T a = TensorPrimitives.Dot<T>(xhat, xd) / count;
        T m = TensorPrimitives.Sum<T>(xd) / count;
        // x̂̇ = r·(ẋ − m − x̂·a)
        TensorPrimitives.MultiplyAdd(xhat, -a, xd, xhatDot);
        TensorPrimitives.Subtract(xhatDot, m, xhatDot);
        TensorPrimitives.Multiply(xhatDot, rs, xhatDot);
        return -rs * rs * a;
    }

    /// <summary>Accumulates (dx)˙, (dw)˙ and (db)˙ of the backward pass, as above (null outputs are skipped).</summary>
    public static void Backward<T>(T[] x, T[] w, T[]? xDot, T[]? wDot, T[] mean, T[] rstd, T[] dy, T[] dyDot,
        T[]? dxDot, T[]? dwDot, T[]? dbDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dxDot is not null)
            Parallelism.ForRows(rows, n, (r0, r1) => InputRows(x, w, xDot, wDot, mean, rstd, dy, dyDot, dxDot, n, r0, r1));
        if (dwDot is null && dbDot is null) return;
        var sums = new T[2 * n];
        ColumnReduction.Sum<T>(rows, 2 * n, (int r0, int r1, Span<T> part) =>
        {
            var xhat = new T[n]; var xhatDot = new T[n];
            var pw = part[..n]; var pb = part.Slice(n, n);
            for (int r = r0; r < r1; r++)
            {
                Normalised(x, xDot, mean, rstd, r, n, xhat, xhatDot);
                var dyr = dy.AsSpan(r * n, n); var dydr = dyDot.AsSpan(r * n, n);
                TensorPrimitives.MultiplyAdd(dydr, xhat, pw, pw);
                TensorPrimitives.MultiplyAdd(dyr, xhatDot, pw, pw);
                TensorPrimitives.Add(pb, dydr, pb);
            }
        }, sums);
        if (dwDot is not null) TensorPrimitives.Add(dwDot.AsSpan(0, n), sums.AsSpan(0, n), dwDot.AsSpan(0, n));
        if (dbDot is not null) TensorPrimitives.Add(dbDot.AsSpan(0, n), sums.AsSpan(n, n), dbDot.AsSpan(0, n));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputRows<T>(T[] x, T[] w, T[]? xDot, T[]? wDot, T[] mean, T[] rstd, T[] dy, T[] dyDot, T[] dxDot, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xhat = new T[n]; var xhatDot = new T[n]; var g = new T[n]; var gDot = new T[n];
        T count = T.CreateTruncating(n);
        var wn = w.AsSpan(0, n);
        for (int r = r0; r < r1; r++)
        {
            T rDot = Normalised(x, xDot, mean, rstd, r, n, xhat, xhatDot);
            T rs = rstd[r];
            var dyr = dy.AsSpan(r * n, n); var dydr = dyDot.AsSpan(r * n, n);
            TensorPrimitives.Multiply(dyr, wn, g);
            TensorPrimitives.Multiply(dydr, wn, gDot);
            if (wDot is not null) TensorPrimitives.MultiplyAdd(dyr, wDot.AsSpan(0, n), gDot, gDot);
            T mg = TensorPrimitives.Sum<T>(g) / count;
            T mgx = TensorPrimitives.Dot<T>(g, xhat) / count;
            T mgDot = TensorPrimitives.Sum<T>(gDot) / count;
            T mgxDot = (TensorPrimitives.Dot<T>(gDot, xhat) + TensorPrimitives.Dot<T>(g, xhatDot)) / count;
            var dxr = dxDot.AsSpan(r * n, n);
            for (int i = 0; i < n; i++)
                dxr[i] += rDot * (g[i] - mg - xhat[i] * mgx) + rs * (gDot[i] - mgDot - xhatDot[i] * mgx - xhat[i] * mgxDot);
        }
    }
}
