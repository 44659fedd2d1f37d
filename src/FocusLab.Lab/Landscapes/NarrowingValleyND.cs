namespace FocusLab.Lab.Landscapes;

/// <summary>
/// The n-dimensional narrowing valley (FOCUS paper, appendix A.1 / figure 6): L = (a/2)·u²·‖v‖² − c·u
/// with (u, v) = Qθ, u the first rotated coordinate and v the other n−1 (axial symmetry around u).
/// Q is an orthogonal frame: identity (unrotated), a uniformly random rotation, or a rotation by a
/// given angle in the plane of the first axis and a random direction.
/// </summary>
public sealed class NarrowingValleyND : ILandscape
{
    private readonly double[,] _q; // rows are the valley frame axes; row 0 is the valley axis u

    public NarrowingValleyND(double[,] frame, double a = 10, double c = 0.1)
    {
        int n = frame.GetLength(0);
        if (n < 2 || frame.GetLength(1) != n) throw new ArgumentException("frame must be a square matrix of size ≥ 2", nameof(frame));
        if (!(a > 0) || double.IsInfinity(a)) throw new ArgumentOutOfRangeException(nameof(a), a, "sharpness a must be positive and finite");
        if (!Orthogonal.IsOrthogonal(frame, 1e-9)) throw new ArgumentException("frame must be orthogonal (QᵀQ = I)", nameof(frame));
        _q = (double[,])frame.Clone();
        A = a; C = c;
        Axis = new double[n];
        for (int j = 0; j < n; j++) Axis[j] = _q[0, j];
    }

    public static NarrowingValleyND Unrotated(int n, double a = 10, double c = 0.1) => new(Orthogonal.Identity(n), a, c);

    /// <summary>A uniformly (Haar) random rotation of the frame drawn from <paramref name="seed"/>.</summary>
    public static NarrowingValleyND RandomlyRotated(int n, ulong seed, double a = 10, double c = 0.1) =>
        new(Orthogonal.Random(n, seed), a, c);

    /// <summary>The valley axis tilted by <paramref name="angle"/> from the first parameter axis toward a random direction.</summary>
    public static NarrowingValleyND Tilted(int n, double angle, ulong seed, double a = 10, double c = 0.1) =>
        new(Orthogonal.PlaneRotationOfFirstAxis(n, angle, seed), a, c);

    public double A { get; }
    public double C { get; }
    public int Dimension => _q.GetLength(0);
    /// <summary>Unit vector q of the valley axis in parameter coordinates: u = q·θ.</summary>
    public double[] Axis { get; }

    private double[] Rotate(ReadOnlySpan<double> x)
    {
        int n = Dimension; var r = new double[n];
        for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += _q[i, j] * x[j]; r[i] = s; }
        return r;
    }

    private void RotateBack(ReadOnlySpan<double> r, Span<double> x)
    {
        int n = Dimension;
        for (int j = 0; j < n; j++) { double s = 0; for (int i = 0; i < n; i++) s += _q[i, j] * r[i]; x[j] = s; }
    }

    private static double NormSquaredTail(double[] r) { double s = 0; for (int i = 1; i < r.Length; i++) s += r[i] * r[i]; return s; }

    public double Loss(ReadOnlySpan<double> x)
    {
        var r = Rotate(x); double u = r[0];
        return 0.5 * A * u * u * NormSquaredTail(r) - C * u;
    }

    public void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        var r = Rotate(x); double u = r[0], v2 = NormSquaredTail(r);
        var gr = new double[r.Length];
        gr[0] = A * u * v2 - C;
        for (int i = 1; i < r.Length; i++) gr[i] = A * u * u * r[i];
        RotateBack(gr, g);
    }

    public void HessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> result)
    {
        var r = Rotate(x); var wr = Rotate(w);
        double u = r[0], v2 = NormSquaredTail(r), vw = 0;
        for (int i = 1; i < r.Length; i++) vw += r[i] * wr[i];
        // ∂²L/∂u² = a‖v‖², ∂²L/∂u∂v_i = 2a u v_i, ∂²L/∂v_i∂v_j = a u² δ_ij
        var hr = new double[r.Length];
        hr[0] = A * v2 * wr[0] + 2 * A * u * vw;
        for (int i = 1; i < r.Length; i++) hr[i] = 2 * A * u * r[i] * wr[0] + A * u * u * wr[i];
        RotateBack(hr, result);
    }
}
