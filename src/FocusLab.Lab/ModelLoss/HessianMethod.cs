namespace FocusLab.Lab.ModelLoss;

/// <summary>How <see cref="EngineModelLoss.HessianVectorProduct"/> computes H·v.</summary>
public enum HessianMethod
{
    /// <summary>Exact forward-over-reverse on the float32 model itself (≈3 gradients; the default for diagnostics).</summary>
    ExactFloat32,

    /// <summary>Exact forward-over-reverse on a float64 twin (reference precision, ≈3 float64 gradients).</summary>
    ExactFloat64,

    /// <summary>Richardson-extrapolated central differences of float64 gradients on the twin (4 float64
    /// gradients): the independent reference, sharing no tangent code with the exact methods.</summary>
    FiniteDifferenceFloat64,
}
