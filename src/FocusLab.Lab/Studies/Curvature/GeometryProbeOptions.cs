using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Studies.Curvature;

/// <summary>
/// What `focuslab geometry` measures at a trained model, and how much work it spends on each estimate.
/// Every count is a number of Hessian-vector products or loss evaluations; 0 turns a part off.
/// </summary>
public sealed record GeometryProbeOptions
{
    /// <summary>Lanczos iterations for the extreme eigenvalues (docs/equations.md#lanczos; full re-orthogonalisation).</summary>
    public int LanczosIterations { get; init; } = 20;
    /// <summary>Rademacher probes of the Hutchinson trace.</summary>
    public int HutchinsonSamples { get; init; } = 10;
    /// <summary>Cauchy probes of the ‖H‖₁,₁/d estimator (Xie et al.); at least 8 when on.</summary>
    public int CauchySamples { get; init; } = 0;
    /// <summary>Rows used by the Cauchy estimator (bounds its memory, samples × rows doubles); null = all.</summary>
    public int? CauchyRows { get; init; } = 20_000;
    /// <summary>Points of the 1-D slice along a random direction (0 = off).</summary>
    public int Slice1DPoints { get; init; } = 41;
    /// <summary>Points per axis of the 2-D slice over two random directions (0 = off).</summary>
    public int Slice2DPoints { get; init; } = 21;
    /// <summary>The slices span [−Range, Range] in units of the (filter-normalised) directions.</summary>
    public double SliceRange { get; init; } = 1.0;
    /// <summary>Filter-wise normalisation of the random directions (Li et al. 2018): each filter of the
    /// direction is scaled to the norm of the same filter of θ, so slices of differently scaled networks compare.</summary>
    public bool FilterNormalise { get; init; } = true;
    /// <summary>Seed of the probe vectors and slice directions.</summary>
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (LanczosIterations < 0) throw new ArgumentException($"Lanczos iterations {LanczosIterations} must be ≥ 0 (0 = off).");
        if (HutchinsonSamples < 0) throw new ArgumentException($"Hutchinson samples {HutchinsonSamples} must be ≥ 0 (0 = off).");
        if (CauchySamples is < 0 or (> 0 and < 8)) throw new ArgumentException($"Cauchy samples {CauchySamples} must be 0 (off) or at least 8 (the quartiles need several probes).");
        if (CauchyRows is < 1) throw new ArgumentException($"Cauchy rows {CauchyRows} must be at least 1.");
        if (Slice1DPoints is < 0 or 1 or 2) throw new ArgumentException($"1-D slice points {Slice1DPoints} must be 0 (off) or at least 3.");
        if (Slice2DPoints is < 0 or 1 or 2) throw new ArgumentException($"2-D slice points {Slice2DPoints} must be 0 (off) or at least 3.");
        if (!(SliceRange > 0) || !double.IsFinite(SliceRange)) throw new ArgumentException($"Slice range {SliceRange} must be a positive number.");
    }

    /// <summary>A slice direction: seeded Gaussian, filter-normalised against θ when asked.</summary>
    internal double[] Direction(int which, ReadOnlySpan<double> theta, TensorLayout layout)
    {
        var d = SliceDirections.Gaussian(theta.Length, Seed * 7919 + which);
        return FilterNormalise ? SliceDirections.FilterNormalised(d, theta, layout) : d;
    }
}
