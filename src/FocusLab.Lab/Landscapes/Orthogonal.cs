using FocusLab.Lab.Sweeps;

namespace FocusLab.Lab.Landscapes;

/// <summary>Orthogonal matrices for rotating landscapes (double precision, small n).</summary>
internal static class Orthogonal
{
    public static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    /// <summary>Standard normal double draws, stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
    public static double[] Gaussians(int count, ulong seed, uint stream)
    {
        var rng = new CounterRng(seed);
        var z = new double[count];
        for (int i = 0; i < count; i += 2)
        {
            rng.Bits(stream, (uint)(i / 2), out uint a, out uint b);
            double u1 = (a + 1.0) / 4294967296.0, phi = 2 * Math.PI * (b / 4294967296.0);
            double r = Math.Sqrt(-2 * Math.Log(u1));
            z[i] = r * Math.Cos(phi);
            if (i + 1 < count) z[i + 1] = r * Math.Sin(phi);
        }
        return z;
    }

    /// <summary>
    /// Haar-random orthogonal matrix: Gram–Schmidt (twice, for stability) on the rows of a Gaussian
    /// matrix. Orthonormalising Gaussian rows in order gives the Haar measure (Mezzadri 2007).
    /// </summary>
    public static double[,] Random(int n, ulong seed)
    {
        var z = Gaussians(n * n, seed, 0xA11CE);
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) q[i, j] = z[i * n + j];
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < i; k++)
                {
                    double d = 0; for (int j = 0; j < n; j++) d += q[i, j] * q[k, j];
                    for (int j = 0; j < n; j++) q[i, j] -= d * q[k, j];
                }
            double norm = 0; for (int j = 0; j < n; j++) norm += q[i, j] * q[i, j];
            norm = Math.Sqrt(norm);
            for (int j = 0; j < n; j++) q[i, j] /= norm;
        }
        return q;
    }

    /// <summary>
    /// Orthogonal frame whose first row is cos(angle)·e₁ + sin(angle)·w for a random unit w ⊥ e₁:
    /// the transpose of the rotation by <paramref name="angle"/> in the plane (e₁, w).
    /// </summary>
    public static double[,] PlaneRotationOfFirstAxis(int n, double angle, ulong seed)
    {
        var w = Gaussians(n, seed, 0xB0B);
        w[0] = 0;
        double norm = Math.Sqrt(w.Sum(x => x * x));
        for (int j = 0; j < n; j++) w[j] /= norm;
        double c = Math.Cos(angle), s = Math.Sin(angle);
        // R = I + (c−1)(e₁e₁ᵀ + wwᵀ) + s(w e₁ᵀ − e₁ wᵀ); the frame is Rᵀ so that row 0 = R e₁.
        var r = Identity(n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double e1i = i == 0 ? 1 : 0, e1j = j == 0 ? 1 : 0;
                r[i, j] += (c - 1) * (e1i * e1j + w[i] * w[j]) + s * (w[i] * e1j - e1i * w[j]);
            }
        return Transpose(r);
    }

    public static double[,] Transpose(double[,] m)
    {
        int n = m.GetLength(0), k = m.GetLength(1);
        var t = new double[k, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) t[j, i] = m[i, j];
        return t;
    }

    public static double[,] Multiply(double[,] x, double[,] y)
    {
        int n = x.GetLength(0), k = x.GetLength(1), m = y.GetLength(1);
        var r = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < k; l++)
            {
                double a = x[i, l];
                for (int j = 0; j < m; j++) r[i, j] += a * y[l, j];
            }
        return r;
    }

    /// <summary>K = (A − Aᵀ)/2 for a standard Gaussian A (Xie et al.).</summary>
    public static double[,] RandomSkew(int n, ulong seed)
    {
        var z = Gaussians(n * n, seed, 0x5EC);
        var k = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) k[i, j] = 0.5 * (z[i * n + j] - z[j * n + i]);
        return k;
    }

    /// <summary>exp(s·K) by the lab's one matrix exponential (<see cref="Rotations.MatrixExponential"/>, scaling and squaring with Padé [6/6]); orthogonal for skew K.</summary>
    public static double[,] ExpSkew(double[,] k, double s)
    {
        int n = k.GetLength(0);
        var flat = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) flat[i * n + j] = s * k[i, j];
        var e = Rotations.MatrixExponential.Compute(flat, n);
        var result = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) result[i, j] = e[i * n + j];
        return result;
    }

    public static bool IsOrthogonal(double[,] q, double tolerance)
    {
        int n = q.GetLength(0);
        for (int i = 0; i < n; i++)
            for (int k = 0; k <= i; k++)
            {
                double d = 0; for (int j = 0; j < n; j++) d += q[i, j] * q[k, j];
                if (Math.Abs(d - (i == k ? 1 : 0)) > tolerance) return false;
            }
        return true;
    }
}
