namespace FocusLab.Optim.Tests;

/// <summary>Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations in float64 (test reference, no shared code with the library).</summary>
internal static class SymmetricEigen
{
    public static double[] Values(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += a[i, j] * a[i, j];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq; a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk; a[q, k] = s * apk + c * aqk;
                    }
                }
        }
        return Enumerable.Range(0, n).Select(i => a[i, i]).Order().ToArray();
    }

    /// <summary>Singular values of a rows×cols row-major matrix: √eig(M Mᵀ) (rows ≤ cols) or √eig(Mᵀ M).</summary>
    public static double[] SingularValues(ReadOnlySpan<float> m, int rows, int cols)
    {
        int n = Math.Min(rows, cols);
        var g = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                if (rows <= cols) for (int k = 0; k < cols; k++) s += (double)m[i * cols + k] * m[j * cols + k];
                else for (int k = 0; k < rows; k++) s += (double)m[k * cols + i] * m[k * cols + j];
                g[i, j] = s;
            }
        return Values(g).Select(v => Math.Sqrt(Math.Max(0, v))).ToArray();
    }
}
