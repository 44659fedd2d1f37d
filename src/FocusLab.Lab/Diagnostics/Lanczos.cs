using System.Runtime.InteropServices;

namespace FocusLab.Lab.Diagnostics;

/// <summary>Options of <see cref="Lanczos"/>.</summary>
public sealed record LanczosOptions
{
    /// <summary>Maximum Krylov dimension (capped at d). Memory: this many vectors of length d.</summary>
    public int MaxIterations { get; init; } = 100;
    /// <summary>Converged when ‖Hv − λv‖ ≤ Tolerance·max(|λ_max|, |λ_min|) for both extreme Ritz pairs.</summary>
    public double Tolerance { get; init; } = 1e-6;
    public int Seed { get; init; } = 0;
}

/// <summary>A Ritz pair with its true residual ‖Hv − λv‖ (computed by one extra HVP, not the Lanczos estimate).</summary>
public sealed record RitzPair(double Value, double[] Vector, double Residual, bool Converged);

/// <summary>
/// The extreme Ritz pairs of a Lanczos run. <see cref="SpectralNorm"/> = max(|λ_max|, |λ_min|) (the
/// Hessian's ‖H‖₂); <see cref="RitzValues"/> are all eigenvalues of the final tridiagonal, ascending.
/// </summary>
public sealed record LanczosResult(RitzPair Largest, RitzPair Smallest, int Iterations, double[] RitzValues)
{
    public double SpectralNorm => Math.Max(Math.Abs(Largest.Value), Math.Abs(Smallest.Value));
    public bool Converged => Largest.Converged && Smallest.Converged;
}

/// <summary>
/// Lanczos iteration with full re-orthogonalisation (every new vector is Gram–Schmidt-ed twice against the
/// whole basis, Paige's remedy for the loss of orthogonality that creates spurious copies of converged
/// eigenvalues). Seeded Gaussian start; deterministic.
/// </summary>
public static class Lanczos
{
    public static LanczosResult Run(IHessianOperator hessian, ReadOnlySpan<double> x, LanczosOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        options ??= new LanczosOptions();
        Check.AtLeast(options.MaxIterations, 1, nameof(options.MaxIterations));
        Check.Positive(options.Tolerance, nameof(options.Tolerance));
        int d = hessian.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        int m = Math.Min(options.MaxIterations, d);

        var basis = new List<double[]>(m);
        var alpha = new List<double>(m);
        var beta = new List<double>(m); // beta[j] couples basis j and j+1
        var v = new double[d];
        new SeededRandom(options.Seed).FillGaussian(v);
        Vec.Scale(v, 1 / Vec.Norm(v));
        var w = new double[d];
        int k = 0;
        while (true)
        {
            basis.Add(v);
            hessian.HessianVectorProduct(x, v, w);
            double a = Vec.Dot(v, w);
            alpha.Add(a);
            k = basis.Count;
            // Full re-orthogonalisation, twice ("twice is enough", Kahan/Parlett).
            for (int pass = 0; pass < 2; pass++)
                foreach (var q in basis) Vec.Axpy(-Vec.Dot(q, w), q, w);
            double b = Vec.Norm(w);
            // Convergence check from the eigenvalues and last eigenvector row of T (O(k²) by tridiagonal QL).
            var (values, last) = SymmetricTridiagonalEigen.Compute(CollectionsMarshal.AsSpan(alpha), CollectionsMarshal.AsSpan(beta), [k - 1]);
            double scale = Math.Max(Math.Abs(values[0]), Math.Abs(values[k - 1]));
            // An invariant subspace was found: the Ritz values are exact eigenvalues.
            bool breakdown = b == 0 || b <= 1e-13 * scale;
            // Lanczos residual estimate of Ritz pair i: |b · s_{k−1,i}|; stop a little below the tolerance so the true residual passes.
            double r0 = Math.Abs(b * last[0]), r1 = Math.Abs(b * last[k - 1]);
            if (breakdown || k == m || (r0 <= options.Tolerance * scale * 0.1 && r1 <= options.Tolerance * scale * 0.1)) break;
            beta.Add(b);
            v = new double[d];
            for (int i = 0; i < d; i++) v[i] = w[i] / b;
        }

        var (theta, s) = Tridiagonal(alpha, beta, k);
        double norm = Math.Max(Math.Abs(theta[0]), Math.Abs(theta[k - 1]));
        var point = x.ToArray();
        RitzPair Pair(int col)
        {
            var y = new double[d];
            for (int j = 0; j < k; j++) Vec.Axpy(s[j * k + col], basis[j], y);
            Vec.Scale(y, 1 / Vec.Norm(y));
            var hy = new double[d];
            hessian.HessianVectorProduct(point, y, hy);
            Vec.Axpy(-theta[col], y, hy);
            double res = Vec.Norm(hy);
            return new RitzPair(theta[col], y, res, res <= options.Tolerance * Math.Max(norm, 1e-300));
        }
        return new LanczosResult(Pair(k - 1), Pair(0), k, theta);
    }

    private static (double[] Values, double[] Vectors) Tridiagonal(List<double> alpha, List<double> beta, int k)
    {
        var all = Enumerable.Range(0, k).ToArray();
        return SymmetricTridiagonalEigen.Compute(CollectionsMarshal.AsSpan(alpha), CollectionsMarshal.AsSpan(beta)[..(k - 1)], all);
    }
}
