using System.Numerics;
using FocusLab.Engine.Autodiff;

namespace FocusLab.Engine.Nn;

/// <summary>LayerNorm over the last dimension with gain (1 at start) and optional shift.</summary>
public sealed class LayerNormModule<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A LayerNorm over vectors of <paramref name="size"/>, gain 1 and (if any) shift 0.</summary>
    /// <param name="name">Module path; the parameters are <c>{name}.weight</c> and <c>{name}.bias</c>.</param>
    /// <param name="size">The normalised (last) dimension.</param>
    /// <param name="bias">Whether there is a shift (the GPT has none).</param>
    public LayerNormModule(string name, int size, bool bias)
    {
        Weight = new ParameterTensor<T>(name + ".weight", size);
        Init.Fill(Weight.Value, 1);
        if (bias) Bias = new ParameterTensor<T>(name + ".bias", size);
    }

    /// <summary>The gain γ [size].</summary>
    public ParameterTensor<T> Weight { get; }
    /// <summary>The shift β [size], or null.</summary>
    public ParameterTensor<T>? Bias { get; }

    /// <summary>The gain, then the shift if there is one.</summary>
    public override IReadOnlyList<ParameterTensor<T>> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    /// <summary>Records the normalisation of <paramref name="x"/> over its last dimension on <paramref name="tape"/>.</summary>
    public Variable<T> Forward(Tape<T> tape, Variable<T> x) => tape.LayerNorm(x, Weight.On(tape), Bias?.On(tape));
}
