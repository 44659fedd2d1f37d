using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Batch normalisation over the batch dimension of [rows, channels] (Ioffe &amp; Szegedy 2015, Alg. 1):
/// training normalises with the batch mean and biased variance and updates running statistics with
/// the unbiased variance (PyTorch's convention, momentum 0.1); evaluation uses the running statistics.
/// Column sums use <see cref="ColumnReduction"/>, so results do not depend on the thread count.
/// </summary>
public static class BatchNorm
{
    /// <summary>Training forward; writes x̂ (normalised input) and per-channel 1/√(σ²+ε).</summary>
    public static void ForwardTrain<T>(T[] x, T[] w, T[] b, T[] y, T[] xhat, T[] rstd, T[]? runningMean, T[]? runningVar,
        int rows, int c, T eps, T momentum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows < 2) throw new ArgumentException($"BatchNorm1d in training mode needs at least 2 rows per batch (got {rows}); use a larger batch or evaluation mode.");
        var mean = new T[c];
        var variance = new T[c];
        T count = T.CreateTruncating(rows);
        ColumnReduction.Sum<T>(rows, c, (r0, r1, part) => AddRows(x, part, c, r0, r1), mean);
        TensorPrimitives.Divide(mean, count, mean);
        // Two-pass variance (no cancellation): x̂ temporarily holds x − μ.
        ColumnReduction.Sum<T>(rows, c, (r0, r1, part) => CenterAndSquare(x, mean, xhat, part, c, r0, r1), variance);
        TensorPrimitives.Divide(variance, count, variance);
        for (int j = 0; j < c; j++) rstd[j] = T.One / T.Sqrt(variance[j] + eps);
        Parallelism.ForRows(rows, c, (r0, r1) => ScaleShift(xhat, rstd, w, b, y, c, r0, r1));
        if (runningMean is null || runningVar is null) return;
        T unbias = count / (count - T.One);
        for (int j = 0; j < c; j++)
        {
            runningMean[j] = (T.One - momentum) * runningMean[j] + momentum * mean[j];
            runningVar[j] = (T.One - momentum) * runningVar[j] + momentum * variance[j] * unbias;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRows<T>(T[] x, T[] part, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++) TensorPrimitives.Add(part, x.AsSpan(r * c, c), part);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CenterAndSquare<T>(T[] x, T[] mean, T[] centered, T[] part, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var d = centered.AsSpan(r * c, c);
            TensorPrimitives.Subtract(x.AsSpan(r * c, c), mean, d);
            TensorPrimitives.MultiplyAdd(d, d, part, part);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleShift<T>(T[] xhat, T[] rstd, T[] w, T[] b, T[] y, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var h = xhat.AsSpan(r * c, c);
            TensorPrimitives.Multiply(h, rstd.AsSpan(0, c), h);
            TensorPrimitives.FusedMultiplyAdd(h, w.AsSpan(0, c), b.AsSpan(0, c), y.AsSpan(r * c, c));
        }
    }

    /// <summary>Evaluation forward with running statistics; writes x̂ and 1/√(running σ²+ε).</summary>
    public static void ForwardEval<T>(T[] x, T[] w, T[] b, T[] y, T[] xhat, T[] rstd, T[] runningMean, T[] runningVar,
        int rows, int c, T eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < c; j++) rstd[j] = T.One / T.Sqrt(runningVar[j] + eps);
        Parallelism.ForRows(rows, c, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++) TensorPrimitives.Subtract(x.AsSpan(r * c, c), runningMean.AsSpan(0, c), xhat.AsSpan(r * c, c));
            ScaleShift(xhat, rstd, w, b, y, c, r0, r1);
        });
    }

    /// <summary>
    /// Backward. Training: dx = rstd/N·(N·ĝ − Σĝ − x̂·Σ(ĝ⊙x̂)) with ĝ = dy⊙w (the batch statistics depend
    /// on x). Evaluation: dx = ĝ·rstd. Both: dw += Σ dy⊙x̂, db += Σ dy.
    /// </summary>
    public static void Backward<T>(T[] xhat, T[] rstd, T[] w, T[] dy, T[]? dx, T[]? dw, T[]? db, int rows, int c, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sums = new T[2 * c]; // [Σ dy, Σ dy⊙x̂]
        ColumnReduction.Sum<T>(rows, 2 * c, (r0, r1, part) => GradientSums(xhat, dy, part, c, r0, r1), sums);
        var sumDy = sums.AsSpan(0, c);
        var sumDyXhat = sums.AsSpan(c, c);
        if (dw is not null) TensorPrimitives.Add(dw.AsSpan(0, c), sumDyXhat, dw.AsSpan(0, c));
        if (db is not null) TensorPrimitives.Add(db.AsSpan(0, c), sumDy, db.AsSpan(0, c));
        if (dx is null) return;
        T count = T.CreateTruncating(rows);
        // Per channel: dx = a·dy + m·x̂ + k with a = w·rstd and, in training, m = −a·Σ(dy x̂)/N, k = −a·Σdy/N.
        var a = new T[c]; var mcoef = new T[c]; var kcoef = new T[c];
        for (int j = 0; j < c; j++)
        {
            a[j] = w[j] * rstd[j];
            mcoef[j] = training ? -a[j] * sumDyXhat[j] / count : T.Zero;
            kcoef[j] = training ? -a[j] * sumDy[j] / count : T.Zero;
        }
        Parallelism.ForRows(rows, c, (r0, r1) => InputGradient(xhat, dy, dx, a, mcoef, kcoef, c, r0, r1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientSums<T>(T[] xhat, T[] dy, T[] part, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sumDy = part.AsSpan(0, c);
        var sumDyXhat = part.AsSpan(c, c);
        for (int r = r0; r < r1; r++)
        {
            var dyr = dy.AsSpan(r * c, c);
            TensorPrimitives.Add(sumDy, dyr, sumDy);
            TensorPrimitives.MultiplyAdd(dyr, xhat.AsSpan(r * c, c), sumDyXhat, sumDyXhat);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradient<T>(T[] xhat, T[] dy, T[] dx, T[] a, T[] m, T[] k, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tmp = new T[c];
        for (int r = r0; r < r1; r++)
        {
            var dxr = dx.AsSpan(r * c, c);
            // dx += a⊙dy + m⊙x̂ + k, vectorised in three fused passes.
            TensorPrimitives.FusedMultiplyAdd(a, dy.AsSpan(r * c, c), k, tmp);
            TensorPrimitives.FusedMultiplyAdd(m, xhat.AsSpan(r * c, c), tmp, tmp);
            TensorPrimitives.Add(dxr, tmp, dxr);
        }
    }
}
