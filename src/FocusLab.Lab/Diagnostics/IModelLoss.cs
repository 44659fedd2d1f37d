namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// What a trainable model (the engine's MLP or GPT on a fixed batch) implements so every diagnostic can
/// measure it. Parameters live in the model as float32 in one flat order (the order of
/// <see cref="Layout"/>); the diagnostics see them through <see cref="ModelObjective"/>, which restores
/// them exactly after every probe.
/// </summary>
public interface IModelLoss
{
    /// <summary>The flat order of the model's tensors (names and shapes); its total equals the parameter count.</summary>
    TensorLayout Layout { get; }

    /// <summary>Copies the current parameters into <paramref name="destination"/> (length = Layout.Count).</summary>
    void ReadParameters(Span<float> destination);

    /// <summary>Overwrites the parameters with <paramref name="source"/>.</summary>
    void WriteParameters(ReadOnlySpan<float> source);

    /// <summary>The loss on the model's fixed batch at the current parameters (eval mode, no dropout).</summary>
    double Loss();

    /// <summary>Writes the gradient at the current parameters and returns the loss.</summary>
    double LossAndGradient(Span<float> gradient);
}

/// <summary>A model that also provides exact Hessian-vector products (e.g. by forward-over-reverse or double backward).</summary>
internal interface IModelHessian : IModelLoss
{
    /// <summary>Writes H·v at the current parameters into <paramref name="hv"/>.</summary>
    void HessianVectorProduct(ReadOnlySpan<float> v, Span<float> hv);
}
