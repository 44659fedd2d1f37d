namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// L(x) = ½ xᵀAx + bᵀx with A symmetric: gradient Ax + b, constant Hessian A. The exact reference
/// for curvature diagnostics, and the objective of the quadratic rotation study (Xie et al.).
/// </summary>
internal sealed class QuadraticObjective : IObjective, IHessianOperator
{
    private readonly MatrixHessian _a;
    private readonly double[] _b;

    public QuadraticObjective(MatrixHessian a, double[]? b = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (b is not null)
        {
            Check.Length(a.Dimension, b.Length, "Linear term b", nameof(b));
            Check.Finite(b, "Linear term b", nameof(b));
        }
        _a = a;
        _b = b is null ? new double[a.Dimension] : (double[])b.Clone();
    }

    /// <summary>½ Σ λ_i x_i² + bᵀx for a diagonal spectrum.</summary>
    public static QuadraticObjective Diagonal(IReadOnlyList<double> eigenvalues, double[]? b = null)
    {
        int d = eigenvalues.Count;
        var m = new double[d * d];
        for (int i = 0; i < d; i++) m[i * d + i] = eigenvalues[i];
        return new QuadraticObjective(new MatrixHessian(m, d), b);
    }

    public int Dimension => _a.Dimension;

    /// <summary>The Hessian A.</summary>
    public MatrixHessian Hessian => _a;

    public double Loss(ReadOnlySpan<double> x)
    {
        Check.Length(Dimension, x.Length, "Point x", nameof(x));
        Span<double> ax = Dimension <= 1024 ? stackalloc double[Dimension] : new double[Dimension];
        _a.HessianVectorProduct(x, x, ax);
        return 0.5 * Vec.Dot(x, ax) + Vec.Dot(_b, x);
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        Check.Length(Dimension, x.Length, "Point x", nameof(x));
        Check.Length(Dimension, gradient.Length, "Gradient buffer", nameof(gradient));
        _a.HessianVectorProduct(x, x, gradient);
        double loss = 0.5 * Vec.Dot(x, gradient) + Vec.Dot(_b, x);
        Vec.Axpy(1, _b, gradient);
        return loss;
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv) => _a.HessianVectorProduct(x, v, hv);
}
