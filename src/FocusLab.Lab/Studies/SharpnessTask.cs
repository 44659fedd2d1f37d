using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Sampling;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Studies;

/// <summary>
/// A model being trained for the sharpness study: one minibatch gradient step at a time (written into the
/// model's gradient buffers) and the adapter that measures the model on a fixed batch. Each instance owns its
/// model and its seeded samplers, so a run is reproducible from the seed.
/// </summary>
public abstract class SharpnessTask
{
    /// <summary>The float32 model being trained.</summary>
    public abstract Module<float> Model { get; }

    /// <summary>Draws the next training minibatch, zeroes and fills the model's gradients, returns the loss.</summary>
    public abstract double ForwardBackward();

    /// <summary>The model on the study's fixed measurement batch (drawn once per seed from the training data).</summary>
    public abstract EngineModelLoss MeasurementLoss();
}

/// <summary>The engine's GPT on a byte-level text corpus, random windows (nanoGPT's get_batch).</summary>
public sealed class SharpnessGptTask : SharpnessTask
{
    private readonly Gpt<float> _model;
    private readonly TextBatchSampler _sampler;
    private readonly int[] _tokens, _targets, _measureTokens, _measureTargets;
    private readonly int _batch, _measureBatch;
    private readonly Tape<float> _tape = new();

    public SharpnessGptTask(GptConfig config, byte[] trainText, int batch, int measureBatch, int seed)
    {
        ArgumentNullException.ThrowIfNull(trainText);
        if (trainText.Length < config.BlockSize + 2)
            throw new ArgumentException($"The training text has {trainText.Length} bytes; the GPT needs at least block_size + 2 = {config.BlockSize + 2}.");
        _model = new Gpt<float>(config, seed);
        _batch = batch;
        _measureBatch = measureBatch;
        _sampler = new TextBatchSampler(trainText, batch, config.BlockSize, (ulong)seed);
        _tokens = new int[batch * config.BlockSize];
        _targets = new int[batch * config.BlockSize];
        // The measurement batch comes from its own stream so it does not depend on the number of training steps.
        var measure = new TextBatchSampler(trainText, measureBatch, config.BlockSize, (ulong)seed ^ 0x5A5A_1234UL);
        _measureTokens = new int[measureBatch * config.BlockSize];
        _measureTargets = new int[measureBatch * config.BlockSize];
        measure.NextBatch(_measureTokens, _measureTargets);
    }

    public override Module<float> Model => _model;

    public override double ForwardBackward()
    {
        _sampler.NextBatch(_tokens, _targets);
        _model.ZeroGrad();
        _tape.Reset();
        var loss = _model.Loss(_tape, _tokens, _targets, _batch, _model.Config.BlockSize);
        _tape.Backward(loss);
        return loss.Value[0];
    }

    public override EngineModelLoss MeasurementLoss() => new GptModelLoss(_model, _measureTokens, _measureTargets, _measureBatch, _model.Config.BlockSize);
}

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
}
