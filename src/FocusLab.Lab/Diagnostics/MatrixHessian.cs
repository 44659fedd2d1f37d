namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// An explicit symmetric d×d matrix (row-major) as a Hessian operator that does not depend on x:
/// the exact reference for every estimator's tests, and the Hessian of small problems.
/// </summary>
public sealed class MatrixHessian : IHessianOperator
{
    private readonly double[] _a;

    /// <param name="matrix">Row-major d×d values (copied). Must be symmetric to 1e-12 relative.</param>
    public MatrixHessian(double[] matrix, int dimension)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        Check.AtLeast(dimension, 1, nameof(dimension));
        if (matrix.Length != (long)dimension * dimension)
            throw new ArgumentException($"Matrix has {matrix.Length} entries but a {dimension}×{dimension} matrix needs {(long)dimension * dimension}.", nameof(matrix));
        Check.Finite(matrix, "Matrix", nameof(matrix));
        double scale = 0;
        foreach (double v in matrix) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < dimension; i++)
            for (int j = i + 1; j < dimension; j++)
                if (Math.Abs(matrix[i * dimension + j] - matrix[j * dimension + i]) > 1e-12 * Math.Max(scale, 1e-300))
                    throw new ArgumentException($"Matrix is not symmetric: entry ({i},{j}) = {matrix[i * dimension + j]} but ({j},{i}) = {matrix[j * dimension + i]}; a Hessian must be symmetric (use (A + Aᵀ)/2).", nameof(matrix));
        _a = (double[])matrix.Clone();
        Dimension = dimension;
    }

    public int Dimension { get; }

    /// <summary>Entry (i, j).</summary>
    public double this[int i, int j] => _a[i * Dimension + j];

    /// <summary>A copy of the row-major values.</summary>
    public double[] ToArray() => (double[])_a.Clone();

    /// <summary>Exact Σ_ij |H_ij| (the entry-wise ℓ₁ norm ‖H‖₁,₁ of Xie et al.).</summary>
    public double L11Norm()
    {
        double s = 0;
        foreach (double v in _a) s += Math.Abs(v);
        return s;
    }

    /// <summary>Exact trace.</summary>
    public double Trace()
    {
        double s = 0;
        for (int i = 0; i < Dimension; i++) s += _a[i * Dimension + i];
        return s;
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        Check.Length(Dimension, v.Length, "Vector v", nameof(v));
        Check.Length(Dimension, hv.Length, "Output hv", nameof(hv));
        Vec.MatVec(_a, Dimension, Dimension, v, hv);
    }
}
