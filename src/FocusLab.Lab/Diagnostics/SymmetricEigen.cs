namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// Eigen-decomposition of a small dense symmetric matrix by the cyclic Jacobi method (Golub &amp; Van Loan
/// §8.5): slow (O(n³) per sweep) but accurate to machine precision in every eigenvalue, which is what the
/// Lanczos tridiagonal (n ≤ a few hundred) needs.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>Eigenvalues ascending, and the matching eigenvectors as columns of a row-major n×n matrix.</summary>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int n)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Length != n * n) throw new ArgumentException($"Expected {n * n} entries for a {n}×{n} matrix, got {matrix.Length}.", nameof(matrix));
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double x = a[i * n + j] * a[i * n + j];
                    total += x;
                    if (i != j) off += x;
                }
            if (off <= 1e-32 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double app = a[p * n + p], aqq = a[q * n + q];
                    // Below rounding of the diagonal the rotation changes nothing: drop the entry (keeps sweeps finite).
                    if (Math.Abs(apq) <= 1e-18 * (Math.Abs(app) + Math.Abs(aqq)))
                    {
                        a[p * n + q] = a[q * n + p] = 0;
                        continue;
                    }
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderBy(i => a[i * n + i]).ToArray();
        var values = order.Select(i => a[i * n + i]).ToArray();
        var vectors = new double[n * n];
        for (int c = 0; c < n; c++)
            for (int r = 0; r < n; r++) vectors[r * n + c] = v[r * n + order[c]];
        return (values, vectors);
    }
}
