using FocusLab.Lab.Landscapes;

namespace FocusLab.Lab.Tests.Landscapes;

public class GradientNoiseTests
{
    [Fact]
    public void MultiplicativeScalesEachCoordinateByOnePlusSigmaZ()
    {
        var noise = new GradientNoise(NoiseKind.Multiplicative, 0.5);
        double[] g = [2, -4, 0];
        noise.Apply(g, [1, -2, 3]);
        Assert.Equal([3, 0, 0], g);
    }

    [Fact]
    public void AdditiveAddsSigmaZ()
    {
        var noise = new GradientNoise(NoiseKind.Additive, 0.5);
        double[] g = [2, -4, 0];
        noise.Apply(g, [1, -2, 3]);
        Assert.Equal([2.5, -5, 1.5], g);
        Assert.Throws<ArgumentException>(() => GradientNoise.Parse("gaussian"));
    }
}
