namespace FocusLab.Lab.Landscapes;

/// <summary>
/// f(x) = ½ xᵀHx with H = RᵀΛR (Xie et al., "Adam exploits ℓ∞-geometry"): Λ a diagonal spectrum and
/// R = exp(s·K), K = (A − Aᵀ)/2 for a Gaussian A. s = 0 leaves H diagonal; growing s moves R toward a
/// random rotation, which hurts adam (coordinate-wise) but not sgd (rotation-invariant).
/// </summary>
internal sealed class Quadratic : ILandscape
{
    private readonly double[,] _h;

    public Quadratic(double[,] hessian)
    {
        int n = hessian.GetLength(0);
        if (n < 1 || hessian.GetLength(1) != n) throw new ArgumentException("Hessian must be square", nameof(hessian));
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++)
            if (Math.Abs(hessian[i, j] - hessian[j, i]) > 1e-12 * (1 + Math.Abs(hessian[i, j])))
                throw new ArgumentException("Hessian must be symmetric", nameof(hessian));
        _h = (double[,])hessian.Clone();
    }

    /// <summary>H = RᵀΛR with R = exp(s·K), K = (A − Aᵀ)/2, A ~ Gaussian from <paramref name="seed"/>.</summary>
    public static Quadratic Rotated(ReadOnlySpan<double> spectrum, double s, ulong seed)
    {
        int n = spectrum.Length;
        var r = Orthogonal.ExpSkew(Orthogonal.RandomSkew(n, seed), s);
        var h = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int k = 0; k < n; k++) sum += r[k, i] * spectrum[k] * r[k, j];
            h[i, j] = sum;
        }
        // Symmetrise away rounding so the constructor's check holds exactly.
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) h[i, j] = h[j, i] = 0.5 * (h[i, j] + h[j, i]);
        return new Quadratic(h);
    }

    /// <summary>Diagonal quadratic with one sharp coordinate (Pan & Li): H = diag(sharp, 1, …, 1).</summary>
    public static Quadratic DiagonalWithSharpCoordinate(int n, double sharp = 100)
    {
        var h = new double[n, n];
        for (int i = 0; i < n; i++) h[i, i] = 1;
        h[0, 0] = sharp;
        return new Quadratic(h);
    }

    public int Dimension => _h.GetLength(0);
    public double[,] Hessian => (double[,])_h.Clone();

    /// <summary>‖H‖₁,₁/d: the sum of absolute Hessian entries over the dimension (Xie et al.).</summary>
    public double L11PerDimension()
    {
        double s = 0; foreach (var v in _h) s += Math.Abs(v);
        return s / Dimension;
    }

    public double Loss(ReadOnlySpan<double> x)
    {
        Span<double> hx = new double[Dimension]; HessianVector(x, x, hx);
        double s = 0; for (int i = 0; i < x.Length; i++) s += x[i] * hx[i];
        return 0.5 * s;
    }

    public void Gradient(ReadOnlySpan<double> x, Span<double> g) => HessianVector(x, x, g);

    public void HessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> r)
    {
        int n = Dimension;
        for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += _h[i, j] * v[j]; r[i] = s; }
    }
}
