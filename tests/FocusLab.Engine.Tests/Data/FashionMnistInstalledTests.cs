using FocusLab.Engine.Data;
using FocusLab.Engine.Data.Mnist;

namespace FocusLab.Engine.Tests.Data;

/// <summary>
/// The real Fashion-MNIST at the default location. Never skipped: when the Debian package is
/// installed the known sizes are checked, otherwise the documented error message is.
/// </summary>
public class FashionMnistInstalledTests
{
    private static bool Installed =>
        new[] { MnistDataset.TrainImages, MnistDataset.TrainLabels, MnistDataset.TestImages, MnistDataset.TestLabels }
            .All(f => MnistDataset.FindFile(MnistDataset.DefaultDirectory, f) is not null);

    [Fact]
    public void Default_location_loads_the_known_sizes_or_explains_how_to_install()
    {
        if (!Installed)
        {
            var e = Assert.Throws<DataNotFoundException>(() => MnistDataset.Load());
            Assert.StartsWith("Fashion-MNIST not found: ", e.Message);
            Assert.Contains(MnistDataset.DefaultDirectory, e.Message);
            Assert.EndsWith(
                "install with `sudo apt-get install dataset-fashion-mnist`, or pass --data DIR with MNIST-format files.", e.Message);
            return;
        }

        var data = MnistDataset.Load();
        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        Assert.Equal([28, 28], data.Train.SampleShape);
        Assert.Equal([28, 28], data.Test.SampleShape);
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class 0..9.
        Assert.All(data.Train.Labels.GroupBy(l => l).ToArray(), g => Assert.Equal(6000, g.Count()));
        Assert.All(data.Test.Labels.GroupBy(l => l).ToArray(), g => Assert.Equal(1000, g.Count()));
        Assert.Equal(Enumerable.Range(0, 10), data.Train.Labels.Distinct().Order());
        Assert.All(new[] { data.Train.Features.Min(), data.Train.Features.Max() }, v => Assert.InRange(v, 0f, 1f));

        // The published training-set statistics documented on PixelNormalization.FashionMnist.
        byte[] pixels = data.Train.Features.Select(f => (byte)Math.Round(f * 255)).ToArray();
        var stats = PixelNormalization.FromPixels(pixels);
        Assert.Equal(PixelNormalization.FashionMnist.Mean, stats.Mean, 3);
        Assert.Equal(PixelNormalization.FashionMnist.Std, stats.Std, 3);
    }
}
