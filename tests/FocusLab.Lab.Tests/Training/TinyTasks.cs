using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Tests.Training;

/// <summary>Small in-memory datasets and models so training tests run in milliseconds.</summary>
internal static class TinyTasks
{
    /// <summary>3 classes of 16 features: class c has its mean shifted on features 5c..5c+4, plus noise.</summary>
    public static (ClassificationDataset Train, ClassificationDataset Test) Blobs(int train = 240, int test = 60)
    {
        var rng = new Random(42);
        ClassificationDataset Make(int n)
        {
            var x = new float[n * 16];
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = i % 3;
                for (int j = 0; j < 16; j++) x[i * 16 + j] = (float)(rng.NextDouble() - 0.5 + (j / 5 == y[i] ? 1.0 : 0.0));
            }
            return new ClassificationDataset(x, y, [4, 4], 3);
        }
        return (Make(train), Make(test));
    }

    public static MlpTask Mlp(int batch = 8, int seed = 3)
    {
        var (train, test) = Blobs();
        return new MlpTask(train, test, batch, seed, new MlpConfig(Hidden: 8, Depth: 2));
    }

    public static TextCorpus Corpus()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}: the quick brown fox {i * 7 % 13} jumps.\n"));
        return TextCorpus.FromBytes(System.Text.Encoding.UTF8.GetBytes(text), 0.1);
    }

    public static GptTask Gpt(double dropout = 0.1, int seed = 5) =>
        new(Corpus(), new GptConfig(256, BlockSize: 8, Layers: 1, Heads: 2, Embedding: 16, Dropout: dropout), batch: 4, seed, evalBatches: 4);

    /// <summary>The 6-input, 3-class MLP of the network studies' tests (rotation, geometry).</summary>
    public static readonly MlpConfig StudyMlp = new(Inputs: 6, Hidden: 8, Depth: 2, Classes: 3);

    /// <summary>96 uniform points in [−1, 1]⁶ with three classes cut by the first two coordinates, for <see cref="StudyMlp"/>.</summary>
    public static ClassificationDataset StudyData()
    {
        var rng = new Random(3);
        int n = 96, f = StudyMlp.Inputs;
        var x = Enumerable.Range(0, n * f).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => x[i * f] > 0.3 ? 2 : x[i * f + 1] > 0 ? 1 : 0).ToArray();
        return new ClassificationDataset(x, y, [f], 3);
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "focuslab-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
