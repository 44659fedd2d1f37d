using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels.Tangents;

/// <summary>
/// Tangents of softmax and log-softmax over the last dimension of [rows, n].
/// Softmax y = softmax(x): ẏ = y⊙(ẋ − ⟨y, ẋ⟩); its backward dx += y⊙(dy − ⟨dy, y⟩) differentiates to
/// (dx)˙ += ẏ⊙(dy − ⟨dy, y⟩) + y⊙((dy)˙ − ⟨(dy)˙, y⟩ − ⟨dy, ẏ⟩).
/// Log-softmax y = x − lse(x), p = exp(y): ẏ = ẋ − ⟨p, ẋ⟩; backward dx += dy − p·Σdy gives
/// (dx)˙ += (dy)˙ − p·Σ(dy)˙ − (p⊙ẏ)·Σdy.
/// </summary>
public static class SoftmaxTangent
{
    /// <summary>ẏ = y⊙(ẋ − ⟨y, ẋ⟩) per row, from the softmax output y.</summary>
    public static void Forward<T>(T[] y, T[] xDot, T[] yDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var yr = y.AsSpan(r * n, n); var xd = xDot.AsSpan(r * n, n); var yd = yDot.AsSpan(r * n, n);
                T dot = TensorPrimitives.Dot<T>(yr, xd);
                TensorPrimitives.Subtract(xd, dot, yd);
                TensorPrimitives.Multiply(yd, yr, yd);
            }
        });

    /// <summary>Accumulates the tangent (dx)˙ of softmax's backward pass, as above.</summary>
    public static void Backward<T>(T[] y, T[] yDot, T[] dy, T[] dyDot, T[] dxDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) => BackwardRows(y, yDot, dy, dyDot, dxDot, n, r0, r1));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<T>(T[] y, T[] yDot, T[] dy, T[] dyDot, T[] dxDot, int n, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            int o = r * n;
            var yr = y.AsSpan(o, n); var ydr = yDot.AsSpan(o, n); var dyr = dy.AsSpan(o, n); var dydr = dyDot.AsSpan(o, n);
            T a = TensorPrimitives.Dot<T>(dyr, yr);
            T b = TensorPrimitives.Dot<T>(dydr, yr) + TensorPrimitives.Dot<T>(dyr, ydr);
            for (int i = 0; i < n; i++) dxDot[o + i] += ydr[i] * (dyr[i] - a) + yr[i] * (dydr[i] - b);
        }
    }

    /// <summary>ẏ = ẋ − ⟨p, ẋ⟩ per row, from the log-softmax output y (p = exp y).</summary>
    public static void LogForward<T>(T[] y, T[] xDot, T[] yDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int o = r * n;
                T dot = T.Zero;
                for (int i = 0; i < n; i++) dot += T.Exp(y[o + i]) * xDot[o + i];
                TensorPrimitives.Subtract(xDot.AsSpan(o, n), dot, yDot.AsSpan(o, n));
            }
        });

    /// <summary>Accumulates the tangent (dx)˙ of log-softmax's backward pass, as above.</summary>
    public static void LogBackward<T>(T[] y, T[] yDot, T[] dy, T[] dyDot, T[] dxDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => Parallelism.ForRows(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int o = r * n;
                T sum = TensorPrimitives.Sum<T>(dy.AsSpan(o, n));
                T sumDot = TensorPrimitives.Sum<T>(dyDot.AsSpan(o, n));
                for (int i = 0; i < n; i++)
                {
                    T p = T.Exp(y[o + i]);
                    dxDot[o + i] += dyDot[o + i] - p * sumDot - p * yDot[o + i] * sum;
                }
            }
        });

    /// <summary>Cross-entropy (mean over rows of lse(x) − x[target]) given the kept probabilities p:
    /// returns L̇ = Σ_r (⟨p_r, ẋ_r⟩ − ẋ_r[t_r]) / rows (rows summed in order).</summary>
    public static T CrossEntropyForward<T>(T[] probs, T[] xDot, int[] targets, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
            total += TensorPrimitives.Dot<T>(probs.AsSpan(r * n, n), xDot.AsSpan(r * n, n)) - xDot[r * n + targets[r]];
        return total / T.CreateTruncating(rows);
    }

    /// <summary>The backward dx += dL·(p − onehot)/rows differentiated: (dx)˙ += (dL)˙·(p − onehot)/rows + dL·ṗ/rows
    /// with ṗ = p⊙(ẋ − ⟨p, ẋ⟩) (ẋ may be null: zero).</summary>
    public static void CrossEntropyBackward<T>(T[] probs, T[]? xDot, int[] targets, T dLoss, T dLossDot, T[] dxDot, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T a = dLossDot / T.CreateTruncating(rows), b = dLoss / T.CreateTruncating(rows);
        Parallelism.ForRows(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int o = r * n;
                var p = probs.AsSpan(o, n); var g = dxDot.AsSpan(o, n);
                if (a != T.Zero)
                {
                    TensorPrimitives.MultiplyAdd(p, a, g, g);
                    g[targets[r]] -= a;
                }
                if (xDot is null || b == T.Zero) continue;
                var xd = xDot.AsSpan(o, n);
                T dot = TensorPrimitives.Dot<T>(p, xd);
                for (int i = 0; i < n; i++) g[i] += b * p[i] * (xd[i] - dot);
            }
        });
    }
}
