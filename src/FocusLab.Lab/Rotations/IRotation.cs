namespace FocusLab.Lab.Rotations;

/// <summary>An orthogonal map R of ℝᵈ, applied as y = Rx and y = Rᵀx (= R⁻¹x) without necessarily storing R.</summary>
internal interface IRotation
{
    int Dimension { get; }

    /// <summary>y ← R x. <paramref name="x"/> and <paramref name="y"/> must not overlap.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>y ← Rᵀ x. <paramref name="x"/> and <paramref name="y"/> must not overlap.</summary>
    void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y);
}
