using System.Numerics;
using FocusLab.Engine.Autodiff;

namespace FocusLab.Engine.Nn;

/// <summary>y = x·Wᵀ + b with W [out, in]; PyTorch's default initialisation U(±1/√in) for W and b.</summary>
public sealed class Linear<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A linear layer initialised as PyTorch does, drawing from <paramref name="rng"/>.</summary>
    /// <param name="name">Module path; the parameters are <c>{name}.weight</c> and <c>{name}.bias</c>.</param>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="rng">Source of the initial values.</param>
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

    /// <summary>W [out, in].</summary>
    public ParameterTensor<T> Weight { get; }

    /// <summary>b [out], or null for a layer without bias.</summary>
    public ParameterTensor<T>? Bias { get; }

    /// <summary>The weight, then the bias if there is one.</summary>
    public override IReadOnlyList<ParameterTensor<T>> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    /// <summary>Records y = x·Wᵀ + b on <paramref name="tape"/> for inputs x [..., in].</summary>
    public Variable<T> Forward(Tape<T> tape, Variable<T> x) => tape.Linear(x, Weight.On(tape), Bias?.On(tape));
}
