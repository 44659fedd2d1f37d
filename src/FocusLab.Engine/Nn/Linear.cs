using System.Numerics;
using FocusLab.Engine.Autodiff;

namespace FocusLab.Engine.Nn;

/// <summary>y = x·Wᵀ + b with W [out, in]; PyTorch's default initialisation U(±1/√in) for W and b.</summary>
public sealed class Linear<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Linear(string name, int inFeatures, int outFeatures, bool bias, Random rng)
    {
        Weight = new ParameterTensor<T>(name + ".weight", outFeatures, inFeatures);
        Init.Uniform(Weight.Value, 1 / Math.Sqrt(inFeatures), rng);
        if (bias)
        {
            Bias = new ParameterTensor<T>(name + ".bias", outFeatures);
            Init.Uniform(Bias.Value, 1 / Math.Sqrt(inFeatures), rng);
        }
    }

    public ParameterTensor<T> Weight { get; }

    public ParameterTensor<T>? Bias { get; }

    public override IReadOnlyList<ParameterTensor<T>> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    public Variable<T> Forward(Tape<T> tape, Variable<T> x) => tape.Linear(x, Weight.On(tape), Bias?.On(tape));
}
