using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Diagnostics;

/// <summary>Exact references for the diagnostics' tests: matrices with known spectra and a non-quadratic objective with a closed-form Hessian.</summary>
internal static class TestProblems
{
    /// <summary>Q diag(λ) Qᵀ with a seeded Haar Q: a symmetric matrix whose eigenvalues are exactly λ (to rounding).</summary>
    public static MatrixHessian WithSpectrum(double[] eigenvalues, int seed)
    {
        int n = eigenvalues.Length;
        var q = OrthogonalMatrices.RandomHaar(n, seed);
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[i * n + k] * eigenvalues[k] * q[j * n + k];
                m[i * n + j] = m[j * n + i] = s;
            }
        return new MatrixHessian(m, n);
    }

    /// <summary>A symmetric matrix with i.i.d. N(0, 1) entries on and above the diagonal.</summary>
    public static MatrixHessian RandomSymmetric(int n, int seed)
    {
        var rng = new SeededRandom(seed);
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = rng.Gaussian();
        return new MatrixHessian(m, n);
    }

    public static double[] Gaussian(int n, int seed) => SliceDirections.Gaussian(n, seed);

    public static double[] Dense(IHessianOperator h)
    {
        int n = h.Dimension;
        var m = new double[n * n];
        var e = new double[n];
        var col = new double[n];
        var x = new double[n];
        for (int j = 0; j < n; j++)
        {
            e[j] = 1;
            h.HessianVectorProduct(x, e, col);
            for (int i = 0; i < n; i++) m[i * n + j] = col[i];
            e[j] = 0;
        }
        return m;
    }
}

/// <summary>L(x) = ½xᵀAx + Σ cᵢ xᵢ⁴/4: gradient Ax + c∘x³, Hessian A + diag(3c∘x²) (exact HVPs).</summary>
internal sealed class QuarticObjective(MatrixHessian a, double[] c) : IObjective, IHessianOperator
{
    public int Dimension => a.Dimension;
    public int Evaluations { get; private set; }

    public double Loss(ReadOnlySpan<double> x)
    {
        Evaluations++;
        var ax = new double[Dimension];
        a.HessianVectorProduct(x, x, ax);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += 0.5 * x[i] * ax[i] + c[i] * Math.Pow(x[i], 4) / 4;
        return s;
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        a.HessianVectorProduct(x, x, g);
        for (int i = 0; i < x.Length; i++) g[i] += c[i] * x[i] * x[i] * x[i];
        return Loss(x);
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        a.HessianVectorProduct(x, v, hv);
        for (int i = 0; i < x.Length; i++) hv[i] += 3 * c[i] * x[i] * x[i] * v[i];
    }
}
