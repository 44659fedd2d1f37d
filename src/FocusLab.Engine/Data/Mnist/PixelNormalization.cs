namespace FocusLab.Engine.Data.Mnist;

/// <summary>
/// How 8-bit pixels become float32 features: <c>x = (p / 255 − Mean) / Std</c>.
/// <see cref="UnitInterval"/> (Mean 0, Std 1) gives plain p/255 in [0, 1].
/// </summary>
public readonly record struct PixelNormalization(float Mean, float Std)
{
    /// <summary>p / 255, values in [0, 1].</summary>
    public static PixelNormalization UnitInterval => new(0f, 1f);

    /// <summary>Fashion-MNIST training-set pixel mean and standard deviation of p/255 (0.2860, 0.3530).</summary>
    public static PixelNormalization FashionMnist => new(0.2860f, 0.3530f);

    /// <summary>MNIST (digits) training-set pixel mean and standard deviation of p/255 (0.1307, 0.3081).</summary>
    public static PixelNormalization Mnist => new(0.1307f, 0.3081f);

    /// <summary>
    /// Mean and (population) standard deviation of p/255 over the given pixels, computed in double
    /// precision; use on the training set only.
    /// </summary>
    public static PixelNormalization FromPixels(ReadOnlySpan<byte> pixels)
    {
        if (pixels.IsEmpty) throw new ArgumentException("No pixels to compute statistics from.", nameof(pixels));
        Span<long> histogram = stackalloc long[256];
        foreach (byte p in pixels) histogram[p]++;
        double sum = 0, sumSquares = 0;
        for (int v = 0; v < 256; v++)
        {
            double x = v / 255.0;
            sum += histogram[v] * x;
            sumSquares += histogram[v] * x * x;
        }
        double mean = sum / pixels.Length;
        double variance = Math.Max(0, sumSquares / pixels.Length - mean * mean);
        return new PixelNormalization((float)mean, (float)Math.Sqrt(variance));
    }

    /// <summary>The 256 possible output values, so conversion is a table lookup.</summary>
    public float[] LookupTable()
    {
        if (!(Std > 0) || !float.IsFinite(Mean))
            throw new ArgumentException($"Pixel normalization needs a finite mean and a positive std; got mean {Mean}, std {Std}.");
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = (float)((v / 255.0 - Mean) / Std);
        return table;
    }

    /// <summary>Converts pixels to features.</summary>
    public float[] Apply(ReadOnlySpan<byte> pixels)
    {
        float[] table = LookupTable();
        var result = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) result[i] = table[pixels[i]];
        return result;
    }
}
