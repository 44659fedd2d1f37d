using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Mnist;

namespace FocusLab.Engine.Tests.Data;

public class MnistDatasetTests
{
    private static byte Pixel(int i) => (byte)((i * 37 + 11) % 256);

    /// <summary>5 training and 3 test images of 4×3; training files gzipped, test files raw.</summary>
    private static void WriteSmallDataset(string dir, byte[]? trainLabels = null, byte[]? testImages = null)
    {
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Images(5, 4, 3, Pixel)));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), IdxBytes.Gzip(trainLabels ?? IdxBytes.Labels(3, 0, 9, 1, 1)));
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), testImages ?? IdxBytes.Images(3, 4, 3, i => Pixel(i + 1000)));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), IdxBytes.Labels(7, 2, 0));
    }

    [Fact]
    public void Loads_train_and_test_from_mixed_raw_and_gz_files_as_pixels_over_255()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path);

        var data = MnistDataset.Load(dir.Path);

        Assert.Equal(5, data.Train.Count);
        Assert.Equal(3, data.Test.Count);
        Assert.Equal([4, 3], data.Train.SampleShape);
        Assert.Equal(12, data.Train.SampleSize);
        Assert.Equal(10, data.Train.ClassCount);
        Assert.Equal([3, 0, 9, 1, 1], data.Train.Labels);
        Assert.Equal([7, 2, 0], data.Test.Labels);
        for (int i = 0; i < 60; i++)
            Assert.Equal((float)(Pixel(i) / 255.0), data.Train.Features[i]);
        for (int i = 0; i < 36; i++)
            Assert.Equal((float)(Pixel(i + 1000) / 255.0), data.Test.Features[i]);
    }

    [Fact]
    public void Mean_std_normalization_follows_the_documented_formula()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path);
        var norm = new PixelNormalization(0.25f, 0.5f);

        var data = MnistDataset.Load(dir.Path, norm);

        for (int i = 0; i < 60; i++)
            Assert.Equal((float)((Pixel(i) / 255.0 - 0.25) / 0.5), data.Train.Features[i], 6);
    }

    [Fact]
    public void Pixel_statistics_match_a_direct_double_computation()
    {
        byte[] pixels = Enumerable.Range(0, 1000).Select(Pixel).ToArray();
        double mean = pixels.Average(p => p / 255.0);
        double std = Math.Sqrt(pixels.Average(p => (p / 255.0 - mean) * (p / 255.0 - mean)));
        var norm = PixelNormalization.FromPixels(pixels);
        Assert.Equal(mean, norm.Mean, 6);
        Assert.Equal(std, norm.Std, 6);
    }

    [Fact]
    public void GatherBatch_copies_the_named_samples()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path);
        var train = MnistDataset.Load(dir.Path).Train;

        var x = new float[2 * 12];
        var y = new int[2];
        train.GatherBatch([4, 1], x, y);

        Assert.Equal([1, 0], y);
        Assert.Equal(train.Features[48..60], x[..12]);
        Assert.Equal(train.Features[12..24], x[12..]);
    }

    [Fact]
    public void Ranges_are_contiguous_views_in_sample_order()
    {
        var ds = new ClassificationDataset(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), [0, 1, 2, 1, 0, 2], [2], 3);
        Assert.Equal([4f, 5f, 6f, 7f], ds.SampleRange(2, 2).ToArray());
        Assert.Equal([2, 1], ds.LabelRange(2, 2).ToArray());
        Assert.Equal([10f, 11f], ds.Sample(5).ToArray());
    }

    [Fact]
    public void Dataset_constructor_refuses_inconsistent_buffers()
    {
        Assert.Throws<ArgumentException>(() => new ClassificationDataset(new float[5], [0, 1], [2], 2));
        var e = Assert.Throws<ArgumentException>(() => new ClassificationDataset(new float[4], [0, 2], [2], 2));
        Assert.Contains("Label 2 of sample 1 is outside 0..1", e.Message);
        Assert.Throws<ArgumentException>(() => new ClassificationDataset(new float[4], [0, 1], [2, 0], 2));
    }

    [Fact]
    public void Missing_folder_names_it_and_gives_the_install_command()
    {
        string missing = Path.Combine(Path.GetTempPath(), "focuslab-no-such-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DataNotFoundException>(() => MnistDataset.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.EndsWith(
            "install with `sudo apt-get install dataset-fashion-mnist`, or pass --data DIR with MNIST-format files.", e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path);
        File.Delete(dir.File("t10k-labels-idx1-ubyte"));
        var e = Assert.Throws<DataNotFoundException>(() => MnistDataset.Load(dir.Path));
        Assert.Contains("has no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains(MnistDataset.InstallHint, e.Message);
    }

    [Fact]
    public void Label_out_of_range_is_reported_with_its_index()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path, trainLabels: IdxBytes.Labels(3, 0, 10, 1, 1));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(dir.Path));
        Assert.Contains("train-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains("label 10 at index 2", e.Message);
    }

    [Fact]
    public void Label_count_must_match_image_count()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path, trainLabels: IdxBytes.Labels(3, 0, 9, 1));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(dir.Path));
        Assert.Contains("has 4 labels but", e.Message);
        Assert.Contains("has 5 images", e.Message);
    }

    [Fact]
    public void Test_images_must_have_the_training_image_size()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path, testImages: IdxBytes.Images(3, 3, 4, Pixel));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(dir.Path));
        Assert.Contains("images are 3x4 but the training images are 4x3", e.Message);
    }

    [Fact]
    public void Labels_file_in_place_of_images_is_refused()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path, testImages: IdxBytes.Labels(1, 2, 3));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(dir.Path));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("expected MNIST images", e.Message);
    }

    [Fact]
    public void Truncated_gzip_in_the_dataset_names_the_file()
    {
        using var dir = new TempFolder();
        WriteSmallDataset(dir.Path);
        string path = dir.File("train-images-idx3-ubyte.gz");
        byte[] gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(dir.Path));
        Assert.Contains(path, e.Message);
    }
}
