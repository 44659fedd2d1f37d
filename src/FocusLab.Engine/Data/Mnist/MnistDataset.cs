using FocusLab.Engine.Data.Idx;

namespace FocusLab.Engine.Data.Mnist;

/// <summary>
/// MNIST-format image classification data (MNIST, Fashion-MNIST, KMNIST...) from a folder holding
/// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>
/// and <c>t10k-labels-idx1-ubyte</c>, each raw or with a <c>.gz</c> suffix (the raw file wins when
/// both exist). Default folder: <see cref="DefaultDirectory"/>, filled by the Debian package
/// <c>dataset-fashion-mnist</c>. Images become float32 features by <see cref="PixelNormalization"/>
/// (default p/255); labels must lie in 0..9.
/// </summary>
public sealed class MnistDataset
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> installs the four .gz files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The fix printed whenever the data is missing.</summary>
    public const string InstallHint =
        "install with `sudo apt-get install dataset-fashion-mnist`, or pass --data DIR with MNIST-format files";

    /// <summary>Fashion-MNIST and MNIST both have ten classes.</summary>
    public const int ClassCount = 10;

    /// <summary>File base names; each may also carry a .gz suffix.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";
    /// <summary>Base name of the training labels file.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";
    /// <summary>Base name of the test images file.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";
    /// <summary>Base name of the test labels file.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    private MnistDataset(string directory, ClassificationDataset train, ClassificationDataset test, PixelNormalization normalization)
    {
        Directory = directory;
        Train = train;
        Test = test;
        Normalization = normalization;
    }

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }
    /// <summary>The 60,000 training images (28 × 28, normalised) and their labels.</summary>
    public ClassificationDataset Train { get; }
    /// <summary>The 10,000 test images and their labels.</summary>
    public ClassificationDataset Test { get; }
    /// <summary>How pixel bytes were mapped to floats.</summary>
    public PixelNormalization Normalization { get; }

    /// <summary>
    /// Loads train and test sets from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).
    /// </summary>
    /// <param name="directory">Folder of the four IDX files, raw or .gz; null for <see cref="DefaultDirectory"/>.</param>
    /// <param name="normalization">Pixel mapping; null means <see cref="PixelNormalization.UnitInterval"/> (p/255).</param>
    /// <exception cref="DataNotFoundException">The folder or one of the four files is missing; the message ends with <see cref="InstallHint"/>.</exception>
    /// <exception cref="DataFormatException">A file is corrupt, truncated or inconsistent with its partner.</exception>
    public static MnistDataset Load(string? directory = null, PixelNormalization? normalization = null)
    {
        string dir = directory ?? DefaultDirectory;
        var norm = normalization ?? PixelNormalization.UnitInterval;
        string trainImages = Locate(dir, TrainImages), trainLabels = Locate(dir, TrainLabels);
        string testImages = Locate(dir, TestImages), testLabels = Locate(dir, TestLabels);
        var train = LoadSplit(trainImages, trainLabels, norm, expectedShape: null);
        var test = LoadSplit(testImages, testLabels, norm, expectedShape: train.SampleShape);
        return new MnistDataset(dir, train, test, norm);
    }

    /// <summary>Path of <c>baseName</c> or <c>baseName.gz</c> in <paramref name="directory"/>, or null.</summary>
    public static string? FindFile(string directory, string baseName)
    {
        string raw = Path.Combine(directory, baseName);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    private static string Locate(string directory, string baseName)
    {
        string what = directory == DefaultDirectory ? "Fashion-MNIST" : "MNIST-format data";
        if (!System.IO.Directory.Exists(directory))
            throw new DataNotFoundException($"{what} not found: folder '{directory}' does not exist; {InstallHint}.", directory);
        return FindFile(directory, baseName)
            ?? throw new DataNotFoundException(
                $"{what} not found: '{directory}' has no {baseName} or {baseName}.gz; {InstallHint}.", directory);
    }

    private static ClassificationDataset LoadSplit(string imagesPath, string labelsPath, PixelNormalization norm, int[]? expectedShape)
    {
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        if (images.DataType != IdxDataType.UInt8 || images.Shape.Length != 3)
            throw new DataFormatException(imagesPath,
                $"expected MNIST images (unsigned bytes, 3 dimensions: count x rows x columns), found {images.DataType} " +
                $"with shape [{string.Join(" x ", images.Shape)}].");
        if (labels.DataType != IdxDataType.UInt8 || labels.Shape.Length != 1)
            throw new DataFormatException(labelsPath,
                $"expected MNIST labels (unsigned bytes, 1 dimension), found {labels.DataType} with shape [{string.Join(" x ", labels.Shape)}].");
        int count = images.Shape[0];
        if (labels.Shape[0] != count)
            throw new DataFormatException(labelsPath,
                $"has {labels.Shape[0]} labels but '{imagesPath}' has {count} images; the two files must match.");
        int[] sampleShape = [images.Shape[1], images.Shape[2]];
        if (expectedShape is not null && !sampleShape.AsSpan().SequenceEqual(expectedShape))
            throw new DataFormatException(imagesPath,
                $"images are {sampleShape[0]}x{sampleShape[1]} but the training images are {expectedShape[0]}x{expectedShape[1]}.");

        byte[] rawLabels = labels.AsUInt8();
        var classes = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (rawLabels[i] >= ClassCount)
                throw new DataFormatException(labelsPath, $"label {rawLabels[i]} at index {i} is outside 0..{ClassCount - 1}.");
            classes[i] = rawLabels[i];
        }
        return new ClassificationDataset(norm.Apply(images.AsUInt8()), classes, sampleShape, ClassCount);
    }
}
