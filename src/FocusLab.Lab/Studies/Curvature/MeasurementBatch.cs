using FocusLab.Engine.Data.Mnist;
using FocusLab.Engine.Data.Sampling;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Tensors;
using FocusLab.Lab.ModelLoss;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Studies.Curvature;

/// <summary>
/// The fixed batch a trained model is measured on: <c>batch</c> samples (MLP, from the training split of
/// an MNIST-format folder) or sequences (GPT, from the training split of a text corpus), drawn by a seeded
/// sampler, so the same seed gives the same batch. The loss is the training loss (BatchNorm on batch
/// statistics, no dropout), the function training descends.
/// </summary>
public static class MeasurementBatch
{
    public const int DefaultMlpBatch = 512, DefaultGptBatch = 8;

    public static int DefaultBatch(string kind) => kind == "gpt" ? DefaultGptBatch : DefaultMlpBatch;

    /// <summary>The model's loss on its measurement batch; <paramref name="data"/> null means the default dataset of the model kind.</summary>
    public static (EngineModelLoss Loss, string Data) Create(TrainedModel trained, string? data, int batch, int seed)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (batch < 2) throw new ArgumentException($"The measurement batch {batch} must be at least 2 (BatchNorm needs two samples).");
        if (trained.Mlp is { } mlp)
        {
            var set = MnistDataset.Load(data).Train;
            if (set.SampleSize != mlp.Config.Inputs || set.ClassCount != mlp.Config.Classes)
                throw new ArgumentException($"The data in '{data ?? MnistDataset.DefaultDirectory}' has {set.SampleSize} features and {set.ClassCount} classes, but the trained MLP expects {mlp.Config.Inputs} and {mlp.Config.Classes}; pass the --data the model was trained on.");
            if (set.Count < batch) throw new ArgumentException($"The training split has {set.Count} samples, fewer than the measurement batch {batch}; pass a smaller --batch.");
            var inputs = new Tensor<float>(batch, mlp.Config.Inputs);
            var labels = new int[batch];
            set.GatherBatch(new ShuffledBatchSampler(set.Count, batch, (ulong)seed).NextBatch(), inputs.Span, labels);
            return (new MlpModelLoss(mlp, inputs, labels), data ?? MnistDataset.DefaultDirectory);
        }
        var gpt = trained.Gpt!;
        var corpus = TextCorpus.Load(data);
        int t = gpt.Config.BlockSize;
        if (corpus.Train.Length < t + 2) throw new ArgumentException($"The corpus's training split has {corpus.Train.Length} bytes; the GPT needs at least block_size + 2 = {t + 2}.");
        var tokens = new int[batch * t];
        var targets = new int[batch * t];
        new TextBatchSampler(corpus.Train, batch, t, (ulong)seed).NextBatch(tokens, targets);
        return (new GptModelLoss(gpt, tokens, targets, batch, t), corpus.Source);
    }
}
