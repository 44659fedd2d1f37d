using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels;

/// <summary>
/// Fused softmax cross-entropy over [rows, classes] logits with integer targets: the mean over rows
/// of −log softmax(x)[target]. Keeps the probabilities for the backward pass, whose gradient is
/// (p − onehot(target))/rows (no separate log-softmax buffer).
/// </summary>
public static class CrossEntropy
{
    /// <summary>Throws <see cref="ArgumentException"/> unless there is one target per row and each is a class index in [0, classes).</summary>
    public static void CheckTargets(ReadOnlySpan<int> targets, int rows, int classes)
    {
        if (targets.Length != rows)
            throw new ArgumentException($"Cross-entropy got {targets.Length} targets for {rows} rows of logits; give one target per row.");
        for (int i = 0; i < targets.Length; i++)
            if ((uint)targets[i] >= (uint)classes)
                throw new ArgumentException($"Target {targets[i]} at position {i} is outside [0, {classes}); targets must be class indices.");
    }

    /// <summary>Keys the calling thread's row-loss buffer, reused (no allocation per step once warm).</summary>
    private sealed class RowLosses;

    /// <summary>Writes probabilities into <paramref name="probs"/> and returns the mean loss (row losses summed in double, in row order).</summary>
    public static T Forward<T>(T[] logits, int[] targets, T[] probs, int rows, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckTargets(targets, rows, classes);
        var losses = ThreadScratch<RowLosses, double>.Get(rows);
        Parallelism.ForRows(rows, 4 * classes, (r0, r1) => ForwardRows(logits, targets, probs, losses, classes, r0, r1));
        double total = 0;
        for (int r = 0; r < rows; r++) total += losses[r];
        return T.CreateTruncating(total / rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<T>(T[] logits, int[] targets, T[] probs, double[] losses, int classes, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var x = logits.AsSpan(r * classes, classes); var p = probs.AsSpan(r * classes, classes);
            T max = TensorPrimitives.Max<T>(x);
            T sum = RowSoftmax.ExpShiftedSum<T>(x, max, p);
            losses[r] = double.CreateTruncating(max + T.Log(sum) - x[targets[r]]);
            TensorPrimitives.Divide(p, sum, p);
        }
    }

    /// <summary>dlogits += dloss·(p − onehot)/rows.</summary>
    public static void Backward<T>(T[] probs, int[] targets, T dloss, T[] dlogits, int rows, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = dloss / T.CreateTruncating(rows);
        Parallelism.ForRows(rows, classes, (r0, r1) => BackwardRows(probs, targets, scale, dlogits, classes, r0, r1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<T>(T[] probs, int[] targets, T scale, T[] dlogits, int classes, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
        {
            var p = probs.AsSpan(r * classes, classes); var d = dlogits.AsSpan(r * classes, classes);
            TensorPrimitives.MultiplyAdd(p, scale, d, d);
            d[targets[r]] -= scale;
        }
    }
}
