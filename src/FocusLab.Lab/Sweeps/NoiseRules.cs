using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// The per-coordinate update direction of a toy optimizer over 8 SIMD lanes. The engine applies
/// θ ← θ − η·(direction + wd·θ). Implemented by structs so the kernel is specialised (and inlined)
/// per optimizer by the JIT. s1 and s2 are the optimizer's per-coordinate state vectors.
/// </summary>
internal interface IToyRule
{
    /// <summary>Loads step t's scalars (bias corrections) from tables computed once per sweep.</summary>
    void BeginStep(long t);
    /// <summary>Whether s2 is used (signum has one state vector); lets the kernel skip its loads and stores.</summary>
    static abstract bool UsesSecondState { get; }
    Vector256<float> Direction(Vector256<float> g, Vector256<float> theta, ref Vector256<float> s1, ref Vector256<float> s2);
}

internal static class VectorSign
{
    /// <summary>sign(x) with sign(0) = 0 (docs/equations.md#conventions): ±1 carrying x's sign bit, masked off where x == 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> x)
    {
        var signed = (x & Vector256.Create(-0.0f)) | Vector256<float>.One;
        return Vector256.AndNot(signed, Vector256.Equals(x, Vector256<float>.Zero));
    }
}

/// <summary>
/// Per-step scalars 1/(1−β^t) and 1−β^t for t = 0..T, computed in double once per sweep (Math.Pow per
/// step and lane block would cost as much as the optimizer steps themselves).
/// </summary>
internal static class StepTables
{
    public static float[] InverseBiasCorrection(double beta, int steps) =>
        Enumerable.Range(0, steps + 1).Select(t => t == 0 ? 0f : (float)(1 / (1 - Math.Pow(beta, t)))).ToArray();

    public static float[] BiasCorrection(double beta, int steps) =>
        Enumerable.Range(0, steps + 1).Select(t => (float)(1 - Math.Pow(beta, t))).ToArray();
}

/// <summary>adam: m̂/(√v̂ + eps) with bias corrections 1/(1−β^t) (computed in double, rounded to float).</summary>
internal struct AdamRule(ToyOptimizer spec, int steps) : IToyRule
{
    private readonly Vector256<float> _b1 = Vector256.Create((float)spec.Beta1), _c1 = Vector256.Create((float)(1 - spec.Beta1));
    private readonly Vector256<float> _b2 = Vector256.Create((float)spec.Beta2), _c2 = Vector256.Create((float)(1 - spec.Beta2));
    private readonly Vector256<float> _eps = Vector256.Create((float)spec.Eps);
    private readonly float[] _inv1 = StepTables.InverseBiasCorrection(spec.Beta1, steps), _inv2 = StepTables.InverseBiasCorrection(spec.Beta2, steps);
    private Vector256<float> _bc1, _bc2;
    public static bool UsesSecondState => true;

    public void BeginStep(long t)
    {
        _bc1 = Vector256.Create(_inv1[t]);
        _bc2 = Vector256.Create(_inv2[t]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Direction(Vector256<float> g, Vector256<float> theta, ref Vector256<float> m, ref Vector256<float> v)
    {
        m = Vector256.FusedMultiplyAdd(_b1, m, _c1 * g);
        v = Vector256.FusedMultiplyAdd(_b2, v, _c2 * g * g);
        return m * _bc1 / (Vector256.Sqrt(v * _bc2) + _eps);
    }
}

/// <summary>signum (Bernstein et al. 2018): sign of the momentum.</summary>
internal struct SignumRule(ToyOptimizer spec) : IToyRule
{
    private readonly Vector256<float> _b1 = Vector256.Create((float)spec.Beta1), _c1 = Vector256.Create((float)(1 - spec.Beta1));

    public void BeginStep(long t) { }
    public static bool UsesSecondState => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Direction(Vector256<float> g, Vector256<float> theta, ref Vector256<float> m, ref Vector256<float> unused)
    {
        m = Vector256.FusedMultiplyAdd(_b1, m, _c1 * g);
        return VectorSign.Sign(m);
    }
}

/// <summary>
/// focus (FOCUS Algorithm 1): sign(m) + γ·sign(θ − θ̂), evaluated as sign(θ·(1−β2^t) − θ̄) so no
/// division is needed and the attraction is exactly zero at t = 1 (docs/equations.md#focus).
/// </summary>
internal struct FocusRule(ToyOptimizer spec, int steps) : IToyRule
{
    private readonly Vector256<float> _b1 = Vector256.Create((float)spec.Beta1), _c1 = Vector256.Create((float)(1 - spec.Beta1));
    private readonly Vector256<float> _b2 = Vector256.Create((float)spec.Beta2), _c2 = Vector256.Create((float)(1 - spec.Beta2));
    private readonly Vector256<float> _gamma = Vector256.Create((float)spec.Gamma);
    private readonly float[] _debiasTable = StepTables.BiasCorrection(spec.Beta2, steps);
    private Vector256<float> _debias;
    public static bool UsesSecondState => true;

    public void BeginStep(long t) => _debias = Vector256.Create(_debiasTable[t]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Direction(Vector256<float> g, Vector256<float> theta, ref Vector256<float> m, ref Vector256<float> thetaBar)
    {
        m = Vector256.FusedMultiplyAdd(_b1, m, _c1 * g);
        thetaBar = Vector256.FusedMultiplyAdd(_b2, thetaBar, _c2 * theta);
        var attract = VectorSign.Sign(theta * _debias - thetaBar);
        return Vector256.FusedMultiplyAdd(_gamma, attract, VectorSign.Sign(m));
    }
}

/// <summary>How the noise draw z (scaled by σ) enters the gradient; specialised per model like the rules.</summary>
internal interface INoiseRule
{
    static abstract Vector256<float> Prepare(Vector256<float> z, Vector256<float> sigma);
    static abstract Vector256<float> Apply(Vector256<float> g, Vector256<float> prepared);
}

internal struct MultiplicativeNoiseRule : INoiseRule
{
    public static Vector256<float> Prepare(Vector256<float> z, Vector256<float> sigma) => Vector256.FusedMultiplyAdd(sigma, z, Vector256<float>.One);
    public static Vector256<float> Apply(Vector256<float> g, Vector256<float> n) => g * n;
}

internal struct AdditiveNoiseRule : INoiseRule
{
    public static Vector256<float> Prepare(Vector256<float> z, Vector256<float> sigma) => sigma * z;
    public static Vector256<float> Apply(Vector256<float> g, Vector256<float> n) => g + n;
}
