using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data.Sampling;
using FocusLab.Engine.Data;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>The engine's MLP on a classification set, shuffled epochs (BatchNorm in training mode).</summary>
public sealed class SharpnessMlpTask : SharpnessTask
{
    private readonly Mlp<float> _model;
    private readonly ClassificationDataset _data;
    private readonly ShuffledBatchSampler _sampler;
    private readonly int[] _indices, _labels, _measureLabels;
    private readonly Tensor<float> _inputs, _measureInputs;
    private readonly Tape<float> _tape = new();

    public SharpnessMlpTask(MlpConfig config, ClassificationDataset data, int batch, int measureBatch, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.SampleSize != config.Inputs || data.ClassCount != config.Classes)
            throw new ArgumentException($"The data has {data.SampleSize} features and {data.ClassCount} classes but the MLP expects {config.Inputs} and {config.Classes}.");
        if (data.Count < Math.Max(batch, measureBatch))
            throw new ArgumentException($"The data has {data.Count} samples; batch {batch} and measurement batch {measureBatch} need at least that many.");
        _model = new Mlp<float>(config, seed);
        _data = data;
        _sampler = new ShuffledBatchSampler(data.Count, batch, (ulong)seed);
        _indices = new int[batch];
        _labels = new int[batch];
        _inputs = new Tensor<float>(batch, config.Inputs);
        var measure = new ShuffledBatchSampler(data.Count, measureBatch, (ulong)seed ^ 0x5A5A_1234UL);
        _measureInputs = new Tensor<float>(measureBatch, config.Inputs);
        _measureLabels = new int[measureBatch];
        data.GatherBatch(measure.NextBatch(), _measureInputs.Span, _measureLabels);
    }

    public override Module<float> Model => _model;

    public override double ForwardBackward()
    {
        _sampler.NextBatch(_indices);
        _data.GatherBatch(_indices, _inputs.Span, _labels);
        _model.Training = true;
        _model.ZeroGrad();
        _tape.Reset();
        var loss = _model.Loss(_tape, _inputs, _labels);
        _tape.Backward(loss);
        return loss.Value[0];
    }

    public override EngineModelLoss MeasurementLoss() => new MlpModelLoss(_model, _measureInputs, _measureLabels);

    /// <summary>The first samples of the measurement batch (training-mode BatchNorm on them alone, like <see cref="MlpModelLoss"/>).</summary>
    public override Diagnostics.IClassifierJacobian GaussNewtonBatch(int samples)
    {
        int n = _measureLabels.Length, features = _model.Config.Inputs;
        if (samples < 2 || samples > n) throw new ArgumentException($"The Gauss–Newton batch must hold 2..{n} samples (the measurement batch); got {samples}.", nameof(samples));
        var inputs = new Tensor<float>(samples, features);
        _measureInputs.Span[..(samples * features)].CopyTo(inputs.Span);
        return new MlpClassifierJacobian(_model, inputs);
    }
}
