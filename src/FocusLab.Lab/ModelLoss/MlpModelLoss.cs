using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Lab.ModelLoss;

/// <summary>
/// The engine's MLP on a fixed classification batch as an <see cref="Diagnostics.IModelHessian"/>: mean
/// cross-entropy with BatchNorm in training mode (batch statistics — the loss that training descends)
/// and its running statistics left untouched, so every probe is a deterministic function of θ.
/// </summary>
public sealed class MlpModelLoss : EngineModelLoss
{
    private readonly Mlp<float> _model;
    private readonly Tensor<float> _inputs;
    private readonly int[] _labels;
    private Mlp<double>? _twin;
    private Tensor<double>? _twinInputs;

    /// <param name="inputs">[N, inputs] features (not copied: keep them unchanged while the adapter is in use).</param>
    /// <param name="labels">N class labels in [0, classes).</param>
    public MlpModelLoss(Mlp<float> model, Tensor<float> inputs, int[] labels) : base(model)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        CheckBatch(model, inputs);
        if (labels.Length != inputs.Shape[0]) throw new ArgumentException($"{labels.Length} labels for {inputs.Shape[0]} samples; give one label per sample.", nameof(labels));
        foreach (int y in labels)
            if ((uint)y >= (uint)model.Config.Classes) throw new ArgumentException($"Label {y} is outside [0, {model.Config.Classes}).", nameof(labels));
        _model = model;
        _inputs = inputs;
        _labels = labels;
    }

    protected override Module<double> Twin
    {
        get
        {
            if (_twin is null)
            {
                _twin = new Mlp<double>(_model.Config, seed: 0) { Training = true, UpdateRunningStatistics = false };
                _twinInputs = new Tensor<double>(_inputs.Shape);
                for (int i = 0; i < _inputs.Length; i++) _twinInputs[i] = _inputs[i];
            }
            return _twin;
        }
    }

    protected override Variable<float> Loss(Tape<float> tape) => _model.Loss(tape, _inputs, _labels);

    protected override Variable<double> Loss(Tape<double> tape) => _twin!.Loss(tape, _twinInputs!, _labels);

    /// <summary>Inputs must be [N, inputs] with N ≥ 2 (batch statistics need two samples).</summary>
    internal static void CheckBatch(Mlp<float> model, Tensor<float> inputs)
    {
        if (inputs.Rank != 2 || inputs.Shape[1] != model.Config.Inputs)
            throw new ArgumentException($"The MLP expects inputs [N, {model.Config.Inputs}], got {Shapes.Format(inputs.Shape)}.", nameof(inputs));
        if (inputs.Shape[0] < 2) throw new ArgumentException("BatchNorm needs a batch of at least 2 samples.", nameof(inputs));
    }

    protected override Action Enter() => _model.UseBatchStatisticsWithoutUpdates();
}
