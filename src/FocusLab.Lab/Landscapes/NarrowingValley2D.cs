namespace FocusLab.Lab.Landscapes;

/// <summary>
/// The FOCUS paper's narrowing valley (Liu, Liu & Gore 2025, section 2): L = (a/2)·u²·v² − c·u with
/// (u, v) the parameters (x, y) rotated by <see cref="Angle"/>: u = x cos φ + y sin φ,
/// v = −x sin φ + y cos φ. Along +u the loss falls forever while the curvature a·u² across the valley grows.
/// </summary>
public sealed class NarrowingValley2D : ILandscape
{
    public const double DefaultAngle = Math.PI / 6;

    public NarrowingValley2D(double a = 10, double c = 0.1, double angle = DefaultAngle)
    {
        if (!(a > 0) || double.IsInfinity(a)) throw new ArgumentOutOfRangeException(nameof(a), a, "sharpness a must be positive and finite");
        if (!double.IsFinite(c)) throw new ArgumentOutOfRangeException(nameof(c), c, "slope c must be finite");
        if (!double.IsFinite(angle)) throw new ArgumentOutOfRangeException(nameof(angle), angle, "angle must be finite (radians)");
        A = a; C = c; Angle = angle;
        Cos = Math.Cos(angle); Sin = Math.Sin(angle);
    }

    public double A { get; }
    public double C { get; }
    public double Angle { get; }
    public double Cos { get; }
    public double Sin { get; }
    public int Dimension => 2;

    /// <summary>Coordinates along (u) and across (v) the valley.</summary>
    public (double U, double V) ToValley(double x, double y) => (Cos * x + Sin * y, -Sin * x + Cos * y);

    public double Loss(ReadOnlySpan<double> p)
    {
        var (u, v) = ToValley(p[0], p[1]);
        return 0.5 * A * u * u * v * v - C * u;
    }

    public void Gradient(ReadOnlySpan<double> p, Span<double> g)
    {
        var (u, v) = ToValley(p[0], p[1]);
        double gu = A * u * v * v - C, gv = A * u * u * v;
        // ∂/∂x = cos φ ∂/∂u − sin φ ∂/∂v ; ∂/∂y = sin φ ∂/∂u + cos φ ∂/∂v
        g[0] = Cos * gu - Sin * gv;
        g[1] = Sin * gu + Cos * gv;
    }

    public void HessianVector(ReadOnlySpan<double> p, ReadOnlySpan<double> w, Span<double> r)
    {
        var (u, v) = ToValley(p[0], p[1]);
        var (wu, wv) = ToValley(w[0], w[1]);
        // Hessian in (u, v): [[a v², 2a u v], [2a u v, a u²]]
        double hu = A * v * v * wu + 2 * A * u * v * wv;
        double hv = 2 * A * u * v * wu + A * u * u * wv;
        r[0] = Cos * hu - Sin * hv;
        r[1] = Sin * hu + Cos * hv;
    }
}
