namespace FocusLab.Lab.Rotations;

/// <summary>
/// exp(A) of a dense square matrix by scaling and squaring with the diagonal [6/6] Padé approximant
/// (Moler &amp; Van Loan, "Nineteen dubious ways…", method 3): A is scaled by 2⁻ˢ until ‖A/2ˢ‖₁ ≤ ½, where the
/// [6/6] remainder is below (6!)²/(12!·13!)·2⁻¹³ ≈ 2e-17 relative, then squared s times.
/// </summary>
internal static class MatrixExponential
{
    public static double[] Compute(double[] a, int n)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (n < 1 || a.Length != n * n) throw new ArgumentException($"Expected a {n}×{n} matrix ({n * n} entries), got {a.Length}.", nameof(a));
        foreach (double v in a)
            if (!double.IsFinite(v)) throw new ArgumentException("Matrix has non-finite entries; exp needs finite values.", nameof(a));

        double norm = DenseMatrix.Norm1(a, n);
        int s = norm > 0.5 ? (int)Math.Ceiling(Math.Log2(norm / 0.5)) : 0;
        double scale = Math.Pow(2, -s);
        var x = new double[n * n];
        for (int i = 0; i < x.Length; i++) x[i] = a[i] * scale;

        // Padé coefficients c_k = (2q−k)! q! / ((2q)! k! (q−k)!), q = 6, via c_k = c_{k−1}·(q−k+1)/(k(2q−k+1)).
        const int q = 6;
        var num = DenseMatrix.Identity(n);
        var den = DenseMatrix.Identity(n);
        var power = DenseMatrix.Identity(n);
        double c = 1;
        for (int k = 1; k <= q; k++)
        {
            c *= (double)(q - k + 1) / (k * (2 * q - k + 1));
            power = DenseMatrix.Multiply(power, x, n);
            double sign = (k & 1) == 0 ? 1 : -1;
            for (int i = 0; i < num.Length; i++)
            {
                num[i] += c * power[i];
                den[i] += sign * c * power[i];
            }
        }
        var r = DenseMatrix.Solve(den, num, n);
        for (int k = 0; k < s; k++) r = DenseMatrix.Multiply(r, r, n);
        return r;
    }
}
