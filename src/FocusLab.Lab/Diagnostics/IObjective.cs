namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// A differentiable loss over a flat double-precision parameter vector. Implementations must treat
/// <c>x</c> as read-only and leave any internal model state as they found it (see <see cref="ModelObjective"/>),
/// so diagnostics can probe points around a checkpoint without moving it.
/// </summary>
internal interface IObjective
{
    /// <summary>Number of parameters d.</summary>
    int Dimension { get; }

    /// <summary>L(x).</summary>
    double Loss(ReadOnlySpan<double> x);

    /// <summary>Writes ∇L(x) into <paramref name="gradient"/> (length d) and returns L(x).</summary>
    double Gradient(ReadOnlySpan<double> x, Span<double> gradient);
}
