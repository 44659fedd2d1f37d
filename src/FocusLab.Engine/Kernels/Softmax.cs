using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels;

/// <summary>Softmax and log-softmax over the last dimension of a [rows, n] buffer (max-shifted for stability).</summary>
public static class Softmax
{
    /// <summary>y = softmax(x) row by row over [rows, n], split over cores by rows.</summary>
    public static void Forward<T>(T[] x, T[] y, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, 4 * n, (r0, r1) => ForwardRows(x, y, n, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<T>(T[] x, T[] y, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var xr = x.AsSpan(r * n, n); var yr = y.AsSpan(r * n, n);
            T sum = RowSoftmax.ExpShiftedSum<T>(xr, TensorPrimitives.Max<T>(xr), yr);
            TensorPrimitives.Divide(yr, sum, yr);
        }
    }

    /// <summary>dx += y ⊙ (dy − ⟨dy, y⟩).</summary>
    public static void Backward<T>(T[] y, T[] dy, T[] dx, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) => BackwardRows(y, dy, dx, n, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<T>(T[] y, T[] dy, T[] dx, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var yr = y.AsSpan(r * n, n); var dyr = dy.AsSpan(r * n, n); var dxr = dx.AsSpan(r * n, n);
            T dot = TensorPrimitives.Dot<T>(dyr, yr);
            for (int i = 0; i < n; i++) dxr[i] += yr[i] * (dyr[i] - dot);
        }
    }

    /// <summary>y = x − logΣexp(x).</summary>
    public static void LogForward<T>(T[] x, T[] y, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, 4 * n, (r0, r1) => LogForwardRows(x, y, n, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogForwardRows<T>(T[] x, T[] y, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var xr = x.AsSpan(r * n, n); var yr = y.AsSpan(r * n, n);
            T max = TensorPrimitives.Max<T>(xr);
            T lse = max + T.Log(RowSoftmax.ExpShiftedSum<T>(xr, max, yr));
            TensorPrimitives.Subtract(xr, lse, yr);
        }
    }

    /// <summary>dx += dy − exp(y)·Σdy.</summary>
    public static void LogBackward<T>(T[] y, T[] dy, T[] dx, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) => LogBackwardRows(y, dy, dx, n, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogBackwardRows<T>(T[] y, T[] dy, T[] dx, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var yr = y.AsSpan(r * n, n); var dyr = dy.AsSpan(r * n, n); var dxr = dx.AsSpan(r * n, n);
            T sum = TensorPrimitives.Sum<T>(dyr);
            for (int i = 0; i < n; i++) dxr[i] += dyr[i] - T.Exp(yr[i]) * sum;
        }
    }
}
