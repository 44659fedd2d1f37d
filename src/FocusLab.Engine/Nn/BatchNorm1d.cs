using System.Numerics;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Nn;

/// <summary>BatchNorm1d over [N, C] with affine parameters (γ = 1, β = 0 at start) and running statistics.</summary>
public sealed class BatchNorm1d<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public BatchNorm1d(string name, int channels, double momentum = 0.1, double eps = 1e-5)
    {
        Weight = new ParameterTensor<T>(name + ".weight", channels);
        Bias = new ParameterTensor<T>(name + ".bias", channels);
        Init.Fill(Weight.Value, 1);
        RunningMean = new Tensor<T>(channels);
        RunningVar = new Tensor<T>(channels);
        Init.Fill(RunningVar, 1);
        Momentum = momentum;
        Eps = eps;
    }

    public ParameterTensor<T> Weight { get; }
    public ParameterTensor<T> Bias { get; }
    public Tensor<T> RunningMean { get; }
    public Tensor<T> RunningVar { get; }
    public double Momentum { get; }
    public double Eps { get; }

    /// <summary>When false, training-mode passes leave the running statistics alone (e.g. for repeated
    /// passes over one batch in Hessian-vector products).</summary>
    public bool UpdateRunningStatistics { get; set; } = true;

    public override IReadOnlyList<ParameterTensor<T>> Parameters => [Weight, Bias];

    public override IReadOnlyList<Tensor<T>> State => [RunningMean, RunningVar];

    public Variable<T> Forward(Tape<T> tape, Variable<T> x) => tape.BatchNorm1d(x, Weight.On(tape), Bias.On(tape),
        UpdatedMean, UpdatedVar, Training, Momentum, Eps);

    /// <summary>This layer, then <paramref name="linear"/>, then ReLU when <paramref name="relu"/>, as one
    /// fused operation (<see cref="Ops.BatchNormLinear{T}"/>): same function and gradients, less memory traffic.</summary>
    public Variable<T> ForwardThrough(Tape<T> tape, Variable<T> x, Linear<T> linear, bool relu) => tape.BatchNormLinear(x, Weight.On(tape), Bias.On(tape),
        UpdatedMean, UpdatedVar, Training, Momentum, Eps, linear.Weight.On(tape), linear.Bias?.On(tape), relu);

    // Training without updates passes no running buffers; evaluation reads them.
    private Tensor<T>? UpdatedMean => Training && !UpdateRunningStatistics ? null : RunningMean;

    private Tensor<T>? UpdatedVar => Training && !UpdateRunningStatistics ? null : RunningVar;
}
