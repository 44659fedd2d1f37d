using System.Numerics;
using FocusLab.Engine.Autodiff;

namespace FocusLab.Engine.Nn;

/// <summary>LayerNorm over the last dimension with gain (1 at start) and optional shift.</summary>
public sealed class LayerNormModule<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public LayerNormModule(string name, int size, bool bias)
    {
        Weight = new ParameterTensor<T>(name + ".weight", size);
        Init.Fill(Weight.Value, 1);
        if (bias) Bias = new ParameterTensor<T>(name + ".bias", size);
    }

    public ParameterTensor<T> Weight { get; }
    public ParameterTensor<T>? Bias { get; }

    public override IReadOnlyList<ParameterTensor<T>> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    public Variable<T> Forward(Tape<T> tape, Variable<T> x) => tape.LayerNorm(x, Weight.On(tape), Bias?.On(tape));
}
