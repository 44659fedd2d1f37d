namespace FocusLab.Lab.Landscapes;

public enum NoiseKind
{
    /// <summary>g̃ᵢ = gᵢ·(1 + σ zᵢ): each coordinate multiplied by an independent N(1, σ) draw (FOCUS paper).</summary>
    Multiplicative,
    /// <summary>g̃ᵢ = gᵢ + σ zᵢ.</summary>
    Additive,
}

/// <summary>A gradient noise model applied to exact gradients with given standard normal draws z.</summary>
public readonly record struct GradientNoise(NoiseKind Kind, double Sigma)
{
    public double Apply(double g, double z) => Kind == NoiseKind.Multiplicative ? g * (1 + Sigma * z) : g + Sigma * z;

    public void Apply(Span<double> gradient, ReadOnlySpan<double> z)
    {
        if (z.Length < gradient.Length) throw new ArgumentException("need one normal draw per coordinate", nameof(z));
        for (int i = 0; i < gradient.Length; i++) gradient[i] = Apply(gradient[i], z[i]);
    }

    public static NoiseKind Parse(string s) => s.ToLowerInvariant() switch
    {
        "multiplicative" => NoiseKind.Multiplicative,
        "additive" => NoiseKind.Additive,
        _ => throw new ArgumentException($"unknown noise model '{s}'; use multiplicative or additive"),
    };
}
