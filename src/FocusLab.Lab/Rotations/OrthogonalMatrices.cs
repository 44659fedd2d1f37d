using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Rotations;

/// <summary>Exact (materialised) random orthogonal matrices for small problems, row-major n×n.</summary>
internal static class OrthogonalMatrices
{
    /// <summary>
    /// A Haar-distributed orthogonal matrix: Q of the QR factorisation of an n×n standard Gaussian matrix,
    /// with each column's sign fixed so that diag(R) &gt; 0 (without the fix Q is not uniformly distributed;
    /// Mezzadri 2007). QR by modified Gram–Schmidt applied twice, orthogonal to machine precision.
    /// </summary>
    public static double[] RandomHaar(int n, int seed)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1.");
        var rng = new SeededRandom(seed);
        var a = new double[n * n];
        rng.FillGaussian(a);
        return QrQ(a, n);
    }

    /// <summary>The Q factor (columns orthonormal, sign-fixed so R's diagonal is positive) of a full-rank n×n matrix.</summary>
    public static double[] QrQ(double[] a, int n)
    {
        // Work on columns as rows of the transpose for contiguous access.
        var cols = DenseMatrix.Transpose(a, n);
        for (int j = 0; j < n; j++)
        {
            var cj = cols.AsSpan(j * n, n);
            double original = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<double>(cj, cj));
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < j; k++)
                {
                    var ck = new ReadOnlySpan<double>(cols, k * n, n);
                    double r = System.Numerics.Tensors.TensorPrimitives.Dot(ck, cj);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ck, -r, cj, cj);
                }
            double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<double>(cj, cj));
            if (!(norm > 1e-12 * original)) throw new ArgumentException($"Matrix is (numerically) rank-deficient at column {j}; QR needs full rank.", nameof(a));
            // Dividing by +norm makes R_jj = norm > 0: the sign fix.
            System.Numerics.Tensors.TensorPrimitives.Divide(cj, norm, cj);
        }
        return DenseMatrix.Transpose(cols, n);
    }

    /// <summary>K = (A − Aᵀ)/2 for an n×n standard Gaussian A (seeded): the skew generator of Xie et al.'s rotations.</summary>
    public static double[] RandomSkew(int n, int seed)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1.");
        var a = new double[n * n];
        new SeededRandom(seed).FillGaussian(a);
        var k = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) k[i * n + j] = 0.5 * (a[i * n + j] - a[j * n + i]);
        return k;
    }

    /// <summary>R = exp(sK), orthogonal because K is skew-symmetric (exp(sK)ᵀ = exp(−sK)). s = 0 gives I.</summary>
    public static double[] ExpSkew(double[] skew, int n, double s)
    {
        ArgumentNullException.ThrowIfNull(skew);
        if (!double.IsFinite(s)) throw new ArgumentOutOfRangeException(nameof(s), s, "The rotation scale s must be finite.");
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                if (Math.Abs(skew[i * n + j] + skew[j * n + i]) > 1e-12 * (Math.Abs(skew[i * n + j]) + 1))
                    throw new ArgumentException($"K is not skew-symmetric at ({i},{j}); use K = (A − Aᵀ)/2.", nameof(skew));
        var scaled = new double[n * n];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = s * skew[i];
        return MatrixExponential.Compute(scaled, n);
    }
}
