using System.Numerics.Tensors;

namespace FocusLab.Lab.Rotations;

/// <summary>Small dense row-major n×n double matrix kernels for the exact rotations (n up to a few thousand).</summary>
internal static class DenseMatrix
{
    public static double[] Identity(int n)
    {
        var m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 1;
        return m;
    }

    /// <summary>C = A B (i-k-j loop order so the inner loop is a contiguous axpy).</summary>
    public static double[] Multiply(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            var ci = c.AsSpan(i * n, n);
            for (int k = 0; k < n; k++)
            {
                double aik = a[i * n + k];
                if (aik != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(b, k * n, n), aik, ci, ci);
            }
        }
        return c;
    }

    public static double[] Transpose(double[] a, int n)
    {
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
        return t;
    }

    /// <summary>Max column sum of |a_ij| (the induced 1-norm).</summary>
    public static double Norm1(double[] a, int n)
    {
        double best = 0;
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.Abs(a[i * n + j]);
            best = Math.Max(best, s);
        }
        return best;
    }

    /// <summary>Solves A X = B (B n×n) by LU with partial pivoting; throws if A is singular.</summary>
    public static double[] Solve(double[] a, double[] b, int n)
    {
        var lu = (double[])a.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int p = k;
            for (int i = k + 1; i < n; i++) if (Math.Abs(lu[i * n + k]) > Math.Abs(lu[p * n + k])) p = i;
            if (lu[p * n + k] == 0) throw new InvalidOperationException("Matrix is singular; cannot solve.");
            if (p != k)
            {
                SwapRows(lu, p, k, n);
                SwapRows(x, p, k, n);
            }
            double pivot = lu[k * n + k];
            for (int i = k + 1; i < n; i++)
            {
                double f = lu[i * n + k] / pivot;
                if (f == 0) continue;
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(lu, k * n, n), -f, lu.AsSpan(i * n, n), lu.AsSpan(i * n, n));
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(x, k * n, n), -f, x.AsSpan(i * n, n), x.AsSpan(i * n, n));
            }
        }
        for (int k = n - 1; k >= 0; k--)
        {
            var xk = x.AsSpan(k * n, n);
            for (int j = k + 1; j < n; j++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(x, j * n, n), -lu[k * n + j], xk, xk);
            TensorPrimitives.Divide(xk, lu[k * n + k], xk);
        }
        return x;
    }

    private static void SwapRows(double[] m, int p, int k, int n)
    {
        for (int j = 0; j < n; j++) (m[p * n + j], m[k * n + j]) = (m[k * n + j], m[p * n + j]);
    }
}
