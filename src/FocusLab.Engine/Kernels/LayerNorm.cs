using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Layer normalisation over the last dimension (Ba, Kiros &amp; Hinton 2016):
/// y = (x − μ)/√(σ² + ε) · w + b, with the biased variance. Stores μ and 1/√(σ²+ε) per row.
/// </summary>
public static class LayerNorm
{
    public static void Forward<T>(T[] x, T[] w, T[]? b, T[] y, T[] mean, T[] rstd, int rows, int n, T eps) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) => ForwardRows(x, w, b, y, mean, rstd, n, eps, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<T>(T[] x, T[] w, T[]? b, T[] y, T[] mean, T[] rstd, int n, T eps, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(n);
        for (int r = r0; r < r1; r++)
        {
            var xr = x.AsSpan(r * n, n); var yr = y.AsSpan(r * n, n);
            T mu = TensorPrimitives.Sum<T>(xr) / count;
            TensorPrimitives.Subtract(xr, mu, yr);
            T variance = TensorPrimitives.SumOfSquares<T>(yr) / count;
            T rs = T.One / T.Sqrt(variance + eps);
            TensorPrimitives.Multiply(yr, rs, yr);
            TensorPrimitives.Multiply(yr, w.AsSpan(0, n), yr);
            if (b is not null) TensorPrimitives.Add(yr, b.AsSpan(0, n), yr);
            mean[r] = mu; rstd[r] = rs;
        }
    }

    /// <summary>
    /// dx += rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = dy⊙w; dw += Σ dy⊙x̂; db += Σ dy
    /// (the parameter sums through <see cref="ColumnReduction"/>, deterministic).
    /// </summary>
    public static void Backward<T>(T[] x, T[] w, T[] mean, T[] rstd, T[] dy, T[]? dx, T[]? dw, T[]? db, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is not null)
            Parallelism.ForRows(rows, n, (r0, r1) => InputGradientRows(x, w, mean, rstd, dy, dx, n, r0, r1));
        if (dw is null && db is null) return;
        var sums = new T[2 * n];
        ColumnReduction.Sum<T>(rows, 2 * n, (r0, r1, part) => ParameterGradientRows(x, mean, rstd, dy, part, n, r0, r1), sums);
        if (dw is not null) TensorPrimitives.Add(dw.AsSpan(0, n), sums.AsSpan(0, n), dw.AsSpan(0, n));
        if (db is not null) TensorPrimitives.Add(db.AsSpan(0, n), sums.AsSpan(n, n), db.AsSpan(0, n));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientRows<T>(T[] x, T[] w, T[] mean, T[] rstd, T[] dy, T[] dx, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var norm = new T[n]; var g = new T[n];
        T count = T.CreateTruncating(n);
        for (int r = r0; r < r1; r++)
        {
            var xr = x.AsSpan(r * n, n); var dyr = dy.AsSpan(r * n, n); var dxr = dx.AsSpan(r * n, n);
            TensorPrimitives.Subtract(xr, mean[r], norm);
            TensorPrimitives.Multiply(norm, rstd[r], norm);
            TensorPrimitives.Multiply(dyr, w.AsSpan(0, n), g);
            T gMean = TensorPrimitives.Sum<T>(g) / count;
            T gnMean = TensorPrimitives.Dot<T>(g, norm) / count;
            // dx += rstd·(g − gMean − norm·gnMean), as two fused passes.
            TensorPrimitives.MultiplyAdd(norm, -gnMean, g, g);
            TensorPrimitives.Subtract(g, gMean, g);
            TensorPrimitives.MultiplyAdd(g, rstd[r], dxr, dxr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ParameterGradientRows<T>(T[] x, T[] mean, T[] rstd, T[] dy, T[] part, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nrm = new T[n];
        var dw = part.AsSpan(0, n); var db = part.AsSpan(n, n);
        for (int r = r0; r < r1; r++)
        {
            var dyr = dy.AsSpan(r * n, n);
            TensorPrimitives.Subtract(x.AsSpan(r * n, n), mean[r], nrm);
            TensorPrimitives.Multiply(nrm, rstd[r], nrm);
            TensorPrimitives.MultiplyAdd(nrm, dyr, dw, dw);
            TensorPrimitives.Add(db, dyr, db);
        }
    }
}
