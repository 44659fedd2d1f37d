using FocusLab.Engine.Data.Mnist;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Lab.Studies.Sharpness;

namespace FocusLab.Cli.Commands;

/// <summary>The per-seed model-and-data factory of the network studies (sharpness, rotation, geometry-study).</summary>
internal static class SharpnessTaskSource
{
    /// <summary>
    /// Loads the data once — the text corpus for <c>gpt</c>, Fashion-MNIST otherwise — and returns a factory that
    /// builds the model for a seed on it; <paramref name="log"/> hears which data was found.
    /// </summary>
    public static Func<int, SharpnessTask> Load(string model, GptConfig gpt, MlpConfig mlp, int batch, int measureBatch, string? data, Action<string>? log = null)
    {
        if (model == "gpt")
        {
            var corpus = TextCorpus.Load(data);
            log?.Invoke($"corpus {corpus.Source}: {corpus.Train.Length} training bytes");
            return seed => new SharpnessGptTask(gpt, corpus.Train, batch, measureBatch, seed);
        }
        var mnist = MnistDataset.Load(data, PixelNormalization.FashionMnist);
        log?.Invoke($"images {mnist.Directory}: {mnist.Train.Count} training samples");
        return seed => new SharpnessMlpTask(mlp, mnist.Train, batch, measureBatch, seed);
    }
}
