using System.Numerics;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Models;

/// <summary>Sizes of the FOCUS batch-size MLP (Liu, Liu &amp; Gore 2025, fig. 2c/d).</summary>
public sealed record MlpConfig(int Inputs = 784, int Hidden = 128, int Depth = 5, int Classes = 10)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the sizes unless inputs, hidden and depth are positive and classes ≥ 2.</summary>
    public void Validate()
    {
        if (Inputs <= 0 || Hidden <= 0 || Depth <= 0 || Classes <= 1)
            throw new ArgumentException($"Invalid MLP sizes {this}: inputs, hidden and depth must be positive and classes >= 2.");
    }
}

/// <summary>
/// inputs → [BatchNorm → Linear(hidden) → ReLU] × depth → BatchNorm → Linear(classes).
/// Parameter names: <c>layers.{i}.bn.weight|bias</c>, <c>layers.{i}.fc.weight|bias</c>,
/// <c>final_bn.weight|bias</c>, <c>head.weight|bias</c>; weight decay applies to the <c>.fc.weight</c>
/// and <c>head.weight</c> matrices only (<see cref="ParameterTensor{T}.WeightDecay"/>).
/// </summary>
public sealed class Mlp<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly BatchNorm1d<T>[] _norms;
    private readonly Linear<T>[] _layers;
    private readonly List<ParameterTensor<T>> _parameters = [];

    /// <summary>Builds the network with PyTorch's default initialisation drawn from <paramref name="seed"/> (same seed, same weights).</summary>
    /// <param name="config">The sizes; validated first.</param>
    /// <param name="seed">Seed of the weight initialisation.</param>
    public Mlp(MlpConfig config, int seed)
    {
        config.Validate();
        Config = config;
        var rng = new Random(seed);
        _norms = new BatchNorm1d<T>[config.Depth + 1];
        _layers = new Linear<T>[config.Depth + 1];
        for (int i = 0; i <= config.Depth; i++)
        {
            bool last = i == config.Depth;
            int inF = i == 0 ? config.Inputs : config.Hidden;
            _norms[i] = new BatchNorm1d<T>(last ? "final_bn" : $"layers.{i}.bn", inF);
            _layers[i] = new Linear<T>(last ? "head" : $"layers.{i}.fc", inF, last ? config.Classes : config.Hidden, bias: true, rng);
            _parameters.AddRange(_norms[i].Parameters);
            _parameters.AddRange(_layers[i].Parameters);
        }
        _layers[config.Depth].Weight.IsEmbeddingOrHead = true;
    }

    /// <summary>The sizes this network was built with.</summary>
    public MlpConfig Config { get; }

    /// <summary>Every layer's batch-norm gain and shift and linear weight and bias, input side first.</summary>
    public override IReadOnlyList<ParameterTensor<T>> Parameters => _parameters;

    /// <summary>The BatchNorm layers, input side first (the last is final_bn).</summary>
    public IReadOnlyList<BatchNorm1d<T>> Norms => _norms;

    /// <summary>The batch-norm running means and variances, input side first (saved in checkpoints).</summary>
    public override IReadOnlyList<Tensor<T>> State => _norms.SelectMany(n => n.State).ToList();

    /// <summary>Training mode (batch statistics) or evaluation mode (running statistics); sets every batch-norm layer.</summary>
    public override bool Training
    {
        get => base.Training;
        set { base.Training = value; foreach (var n in _norms) n.Training = value; }
    }

    /// <summary>See <see cref="BatchNorm1d{T}.UpdateRunningStatistics"/>.</summary>
    public bool UpdateRunningStatistics
    {
        get => _norms[0].UpdateRunningStatistics;
        set { foreach (var n in _norms) n.UpdateRunningStatistics = value; }
    }

    /// <summary>
    /// Switches to the mode in which a measurement sees the training loss as a fixed function of θ: batch
    /// statistics (training mode) without updating the running statistics. Returns the action that restores
    /// the previous modes.
    /// </summary>
    public Action UseBatchStatisticsWithoutUpdates()
    {
        bool training = Training, update = UpdateRunningStatistics;
        Training = true;
        UpdateRunningStatistics = false;
        return () => { Training = training; UpdateRunningStatistics = update; };
    }

    /// <summary>Logits [N, classes] for inputs [N, inputs].</summary>
    public Variable<T> Forward(Tape<T> tape, Tensor<T> inputs)
    {
        if (inputs.Rank != 2 || inputs.Shape[1] != Config.Inputs)
            throw new ArgumentException($"The MLP expects inputs [N, {Config.Inputs}], got {Shapes.Format(inputs.Shape)}.");
        var x = tape.Constant(inputs);
        // Each block is one fused BatchNorm → Linear → ReLU operation (the head without ReLU).
        for (int i = 0; i <= Config.Depth; i++) x = _norms[i].ForwardThrough(tape, x, _layers[i], relu: i < Config.Depth);
        return x;
    }

    /// <summary>Mean cross-entropy of the logits against integer labels.</summary>
    public Variable<T> Loss(Tape<T> tape, Tensor<T> inputs, int[] labels) => tape.CrossEntropy(Forward(tape, inputs), labels);
}
