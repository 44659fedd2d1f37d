using System.Runtime.Intrinsics;

namespace FocusLab.Lab.Sweeps;

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
