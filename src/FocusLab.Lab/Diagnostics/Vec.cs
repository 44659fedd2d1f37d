using System.Numerics.Tensors;

namespace FocusLab.Lab.Diagnostics;

/// <summary>Double-precision vector kernels (SIMD via TensorPrimitives) used by the diagnostics.</summary>
internal static class Vec
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => TensorPrimitives.Dot(a, b);

    public static double Norm(ReadOnlySpan<double> a) => TensorPrimitives.Norm(a);

    /// <summary>y ← y + α x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, alpha, y, y);

    /// <summary>dst ← x + α v.</summary>
    public static void AddScaled(ReadOnlySpan<double> x, double alpha, ReadOnlySpan<double> v, Span<double> dst) => TensorPrimitives.MultiplyAdd(v, alpha, x, dst);

    public static void Scale(Span<double> x, double alpha) => TensorPrimitives.Multiply(x, alpha, x);

    /// <summary>Dense y = A x for a row-major n×m matrix.</summary>
    public static void MatVec(double[] a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < rows; i++) y[i] = TensorPrimitives.Dot(new ReadOnlySpan<double>(a, i * cols, cols), x);
    }
}
