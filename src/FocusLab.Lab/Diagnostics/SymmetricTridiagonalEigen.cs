namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// Eigenvalues of a symmetric tridiagonal matrix by the implicit QL algorithm with Wilkinson-type shifts
/// (Golub &amp; Van Loan §8.3; the tql2 scheme of EISPACK), accumulating the plane rotations only into the
/// eigenvector rows asked for. Lanczos asks for the last row: the Ritz residual estimates |β·s_{k,i}| need
/// nothing else, which makes each convergence check O(k²) instead of O(k³).
/// </summary>
internal static class SymmetricTridiagonalEigen
{
    /// <param name="diagonal">α₀…α_{n−1}.</param>
    /// <param name="offDiagonal">β₀…β_{n−2} (βᵢ couples i and i+1).</param>
    /// <param name="rows">Rows of the eigenvector matrix to return (e.g. [n − 1]); empty for values only.</param>
    /// <returns>Eigenvalues ascending, and for each requested row the components of every eigenvector in that order (row-major rows × n).</returns>
    public static (double[] Values, double[] Rows) Compute(ReadOnlySpan<double> diagonal, ReadOnlySpan<double> offDiagonal, ReadOnlySpan<int> rows)
    {
        int n = diagonal.Length;
        if (n == 0) throw new ArgumentException("Empty matrix.", nameof(diagonal));
        if (offDiagonal.Length != n - 1) throw new ArgumentException($"A {n}×{n} tridiagonal matrix has {n - 1} off-diagonal entries, got {offDiagonal.Length}.", nameof(offDiagonal));
        var d = diagonal.ToArray();
        var e = new double[n];
        offDiagonal.CopyTo(e);
        int nz = rows.Length;
        var z = new double[nz * n];
        for (int k = 0; k < nz; k++)
        {
            if (rows[k] < 0 || rows[k] >= n) throw new ArgumentOutOfRangeException(nameof(rows), rows[k], $"Row must lie in [0, {n}).");
            z[k * n + rows[k]] = 1;
        }

        for (int l = 0; l < n; l++)
        {
            for (int iter = 0; ; iter++)
            {
                int m;
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon || Math.Abs(e[m]) <= 1e-16 * dd) break;
                }
                if (m == l) break;
                if (iter == 100) throw new InvalidOperationException("Tridiagonal QL did not converge in 100 iterations (non-finite input?).");
                // Shift from the leading 2×2 block (the eigenvalue closer to d[l]).
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                double s = 1, c = 1, p = 0;
                int i;
                bool deflated = false;
                for (i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // Underflow: the matrix split; restart this eigenvalue.
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    for (int k = 0; k < nz; k++)
                    {
                        int o = k * n;
                        double zi1 = z[o + i + 1];
                        z[o + i + 1] = s * z[o + i] + c * zi1;
                        z[o + i] = c * z[o + i] - s * zi1;
                    }
                }
                if (deflated) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }

        var order = Enumerable.Range(0, n).OrderBy(i => d[i]).ToArray();
        var values = order.Select(i => d[i]).ToArray();
        var outRows = new double[nz * n];
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < n; j++) outRows[k * n + j] = z[k * n + order[j]];
        return (values, outRows);
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }
}
