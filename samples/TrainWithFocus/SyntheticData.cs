/// <summary>
/// Seeded classification data: x ~ N(0, I) and the label drawn from softmax(W* x) for a random
/// teacher W* ~ N(0, 1/d), so the classes overlap and the best achievable loss is above zero.
/// </summary>
sealed class SyntheticData
{
    private readonly float[] _inputs;

    private SyntheticData(float[] inputs, int[] labels, int features)
    {
        _inputs = inputs; Labels = labels; Features = features;
    }

    /// <summary>The number of input features d.</summary>
    public int Features { get; }

    /// <summary>The class of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>The inputs of sample <paramref name="r"/>.</summary>
    public ReadOnlySpan<float> Row(int r) => _inputs.AsSpan(r * Features, Features);

    /// <summary>Draws <paramref name="samples"/> samples; the same seed gives the same data.</summary>
    public static SyntheticData Create(int features, int classes, int samples, int seed)
    {
        var rng = new Random(seed);
        var teacher = new double[classes * features];
        for (int i = 0; i < teacher.Length; i++) teacher[i] = 3 * Normal(rng) / Math.Sqrt(features);
        var inputs = new float[samples * features];
        var labels = new int[samples];
        var p = new double[classes];
        for (int r = 0; r < samples; r++)
        {
            for (int j = 0; j < features; j++) inputs[r * features + j] = (float)Normal(rng);
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                double z = 0;
                for (int j = 0; j < features; j++) z += teacher[c * features + j] * inputs[r * features + j];
                p[c] = Math.Exp(z);
                sum += p[c];
            }
            double u = rng.NextDouble() * sum;
            int label = 0;
            while (label < classes - 1 && (u -= p[label]) > 0) label++;
            labels[r] = label;
        }
        return new SyntheticData(inputs, labels, features);
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
