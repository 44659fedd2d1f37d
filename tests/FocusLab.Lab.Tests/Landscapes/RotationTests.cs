using FocusLab.Lab.Landscapes;

namespace FocusLab.Lab.Tests.Landscapes;

public class RotationTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(5.0)]
    public void ExpOfSkewIsOrthogonalAndMatchesTaylorForSmallS(double s)
    {
        var k = Orthogonal.RandomSkew(8, 11);
        var r = Orthogonal.ExpSkew(k, s);
        Assert.True(Orthogonal.IsOrthogonal(r, 1e-10));
        // Independent check: exp(sK) = (exp(sK/2))² and exp(sK)·exp(−sK) = I.
        var half = Orthogonal.ExpSkew(k, s / 2);
        var sq = Orthogonal.Multiply(half, half);
        var inv = Orthogonal.Multiply(r, Orthogonal.ExpSkew(k, -s));
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
            {
                Assert.Equal(r[i, j], sq[i, j], 10);
                Assert.Equal(i == j ? 1 : 0, inv[i, j], 10);
            }
    }

    [Fact]
    public void ExpOfSmallSkewIsIdentityPlusSK()
    {
        var k = Orthogonal.RandomSkew(5, 2);
        var r = Orthogonal.ExpSkew(k, 1e-6);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++)
            Assert.True(Math.Abs((i == j ? 1 : 0) + 1e-6 * k[i, j] - r[i, j]) < 1e-10); // next term s²K²/2 ~ 1e-12
    }

    [Fact]
    public void RotationKeepsSpectrumAndGrowsL11()
    {
        double[] spectrum = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var flat = Quadratic.Rotated(spectrum, 0, 5);
        var rotated = Quadratic.Rotated(spectrum, 3, 5);
        double trace(Quadratic q) { var h = q.Hessian; double t = 0; for (int i = 0; i < 10; i++) t += h[i, i]; return t; }
        Assert.Equal(55, trace(flat), 9);
        Assert.Equal(55, trace(rotated), 9); // trace is rotation invariant
        Assert.Equal(5.5, flat.L11PerDimension(), 9); // diagonal: Σ|H_ii|/d
        Assert.True(rotated.L11PerDimension() > 1.5 * flat.L11PerDimension());
    }

    [Fact]
    public void RandomFrameIsOrthogonalAndTiltHasTheRequestedAngle()
    {
        Assert.True(Orthogonal.IsOrthogonal(Orthogonal.Random(30, 8), 1e-10));
        var tilt = Orthogonal.PlaneRotationOfFirstAxis(20, 0.4, 3);
        Assert.True(Orthogonal.IsOrthogonal(tilt, 1e-12));
        Assert.Equal(Math.Cos(0.4), tilt[0, 0], 12);
        Assert.True(Orthogonal.IsOrthogonal(Orthogonal.PlaneRotationOfFirstAxis(20, 0, 3), 1e-12));
        Assert.Equal(1, Orthogonal.PlaneRotationOfFirstAxis(20, 0, 3)[0, 0], 12);
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NarrowingValley2D(a: -1));
        Assert.Throws<ArgumentException>(() => new NarrowingValleyND(new double[,] { { 1, 1 }, { 0, 1 } }));
        Assert.Throws<ArgumentException>(() => new Quadratic(new double[,] { { 1, 2 }, { 0, 1 } }));
    }
}
