namespace FocusLab.Lab.Landscapes;

/// <summary>A differentiable loss over a flat parameter vector, evaluated in double precision.</summary>
internal interface ILandscape
{
    int Dimension { get; }
    double Loss(ReadOnlySpan<double> x);
    /// <summary>Writes ∇L(x) into <paramref name="gradient"/>.</summary>
    void Gradient(ReadOnlySpan<double> x, Span<double> gradient);
    /// <summary>Writes the Hessian-vector product ∇²L(x)·v into <paramref name="result"/>.</summary>
    void HessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> result);
}
