namespace FocusLab.Engine.Data;

/// <summary>
/// A labelled dataset held in memory as flat buffers: sample i's features are
/// <c>Features[i*SampleSize .. (i+1)*SampleSize)</c> (row-major over <see cref="SampleShape"/>)
/// and its class is <c>Labels[i]</c> in 0..ClassCount-1.
/// </summary>
public sealed class ClassificationDataset
{
    /// <summary>A dataset over existing arrays (not copied); sizes and label range are checked.</summary>
    /// <param name="features">Count × SampleSize values, sample after sample.</param>
    /// <param name="labels">The class of each sample, in 0..classCount−1.</param>
    /// <param name="sampleShape">Shape of one sample, e.g. [28, 28].</param>
    /// <param name="classCount">Number of classes.</param>
    public ClassificationDataset(float[] features, int[] labels, int[] sampleShape, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"Sample shape must have positive dimensions; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        if (classCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(classCount), "Class count must be positive.");
        int sampleSize = sampleShape.Aggregate(1, (a, b) => checked(a * b));
        if ((long)labels.Length * sampleSize != features.LongLength)
            throw new ArgumentException(
                $"{labels.Length} labels × {sampleSize} features per sample ≠ {features.LongLength} feature values.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Label {labels[i]} of sample {i} is outside 0..{classCount - 1}.", nameof(labels));
        Features = features;
        Labels = labels;
        SampleShape = sampleShape;
        SampleSize = sampleSize;
        ClassCount = classCount;
    }

    /// <summary>All samples' features, Count × SampleSize values.</summary>
    public float[] Features { get; }
    /// <summary>Class index of each sample.</summary>
    public int[] Labels { get; }
    /// <summary>Shape of one sample, e.g. [28, 28].</summary>
    public int[] SampleShape { get; }
    /// <summary>Values per sample (product of <see cref="SampleShape"/>), e.g. 784.</summary>
    public int SampleSize { get; }
    /// <summary>Number of classes; labels are 0..ClassCount−1.</summary>
    public int ClassCount { get; }
    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>One sample's features without copying.</summary>
    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(index * SampleSize, SampleSize);

    /// <summary>Features of samples start .. start+count-1, contiguous (count × SampleSize values); for in-order evaluation.</summary>
    public ReadOnlySpan<float> SampleRange(int start, int count) => Features.AsSpan(start * SampleSize, count * SampleSize);

    /// <summary>Labels of samples start .. start+count-1.</summary>
    public ReadOnlySpan<int> LabelRange(int start, int count) => Labels.AsSpan(start, count);

    /// <summary>
    /// Copies the samples named by <paramref name="indices"/> into a batch: <paramref name="features"/>
    /// is (indices.Length × SampleSize) row-major, <paramref name="labels"/> has indices.Length entries.
    /// </summary>
    public void GatherBatch(ReadOnlySpan<int> indices, Span<float> features, Span<int> labels)
    {
        if (features.Length != indices.Length * SampleSize || labels.Length != indices.Length)
            throw new ArgumentException(
                $"Batch of {indices.Length} needs {indices.Length * SampleSize} feature slots and {indices.Length} label slots; " +
                $"got {features.Length} and {labels.Length}.");
        for (int b = 0; b < indices.Length; b++)
        {
            int i = indices[b];
            Sample(i).CopyTo(features.Slice(b * SampleSize, SampleSize));
            labels[b] = Labels[i];
        }
    }
}
