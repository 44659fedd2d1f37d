using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Rotations;

/// <summary>A materialised orthogonal matrix as an <see cref="IRotation"/> (small problems).</summary>
internal sealed class DenseRotation : IRotation
{
    private readonly double[] _q, _qt;

    /// <param name="orthogonal">Row-major n×n; checked orthogonal to 1e-9 (QᵀQ = I).</param>
    public DenseRotation(double[] orthogonal, int n)
    {
        ArgumentNullException.ThrowIfNull(orthogonal);
        if (n < 1 || orthogonal.Length != n * n) throw new ArgumentException($"Expected a {n}×{n} matrix ({n * n} entries), got {orthogonal.Length}.", nameof(orthogonal));
        var qtq = DenseMatrix.Multiply(DenseMatrix.Transpose(orthogonal, n), orthogonal, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (Math.Abs(qtq[i * n + j] - (i == j ? 1 : 0)) > 1e-9)
                    throw new ArgumentException($"Matrix is not orthogonal: (QᵀQ)[{i},{j}] = {qtq[i * n + j]}; build it with OrthogonalMatrices.", nameof(orthogonal));
        _q = (double[])orthogonal.Clone();
        _qt = DenseMatrix.Transpose(orthogonal, n);
        Dimension = n;
    }

    public int Dimension { get; }

    /// <summary>A copy of R (row-major).</summary>
    public double[] ToArray() => (double[])_q.Clone();

    public void Apply(ReadOnlySpan<double> x, Span<double> y) => Mul(_q, x, y);

    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y) => Mul(_qt, x, y);

    private void Mul(double[] m, ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Dimension || y.Length != Dimension)
            throw new ArgumentException($"Vectors must have the rotation's dimension {Dimension} (got {x.Length} and {y.Length}).");
        Vec.MatVec(m, Dimension, Dimension, x, y);
    }
}
