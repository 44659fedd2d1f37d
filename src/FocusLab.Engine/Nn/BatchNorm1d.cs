using System.Numerics;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Nn;

/// <summary>BatchNorm1d over [N, C] with affine parameters (γ = 1, β = 0 at start) and running statistics.</summary>
public sealed class BatchNorm1d<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A batch-norm layer over <paramref name="channels"/> features, PyTorch's defaults.</summary>
    /// <param name="name">Module path; the parameters are <c>{name}.weight</c> and <c>{name}.bias</c>.</param>
    /// <param name="channels">C, the number of features.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
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

    /// <summary>The gain γ [C] (1 at start).</summary>
    public ParameterTensor<T> Weight { get; }
    /// <summary>The shift β [C] (0 at start).</summary>
    public ParameterTensor<T> Bias { get; }
    /// <summary>The running mean used in evaluation mode.</summary>
    public Tensor<T> RunningMean { get; }
    /// <summary>The running variance used in evaluation mode.</summary>
    public Tensor<T> RunningVar { get; }
    /// <summary>Weight of each training batch in the running statistics.</summary>
    public double Momentum { get; }
    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>When false, training-mode passes leave the running statistics alone (e.g. for repeated
    /// passes over one batch in Hessian-vector products).</summary>
    public bool UpdateRunningStatistics { get; set; } = true;

    /// <summary>The gain, then the shift.</summary>
    public override IReadOnlyList<ParameterTensor<T>> Parameters => [Weight, Bias];

    /// <summary>The running mean, then the running variance.</summary>
    public override IReadOnlyList<Tensor<T>> State => [RunningMean, RunningVar];

    /// <summary>Records the normalisation of <paramref name="x"/> [N, C] on <paramref name="tape"/>: batch statistics in training mode (updating the running ones unless switched off), running statistics otherwise.</summary>
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
