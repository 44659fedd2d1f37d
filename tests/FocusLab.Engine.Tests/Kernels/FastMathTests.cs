using System.Runtime.Intrinsics;
using FocusLab.Engine.Kernels;

namespace FocusLab.Engine.Tests.Kernels;

public class FastMathTests
{
    /// <summary>Distance in units in the last place between two non-negative floats (bit patterns are ordered).</summary>
    private static long UlpDistance(float a, float b) => Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));

    private static float[] ExpOfEightLanes(float[] x)
    {
        var y = new float[x.Length];
        int i = 0;
        for (; i + 8 <= x.Length; i += 8) FastMath.Exp(Vector256.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i, 8));
        for (; i < x.Length; i++) y[i] = FastMath.Exp(x[i]);
        return y;
    }

    [Fact]
    public void ExpIsWithinTwoUlpOfMathExpOverTheWholeFloatRange()
    {
        // A dense grid over [−104, 89] (normal, subnormal, overflow and underflow results) plus random points.
        var xs = new List<float>();
        for (double g = -104; g <= 89; g += 1.0 / 1024) xs.Add((float)g);
        var rng = new Random(11);
        for (int i = 0; i < 200_000; i++) xs.Add((float)(rng.NextDouble() * 200 - 105));
        for (int i = 0; i < 1000; i++) xs.Add((float)(rng.NextDouble() * 1e-3 - 5e-4)); // around 0
        var x = xs.ToArray();
        var y = ExpOfEightLanes(x);
        long worst = 0; float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float expected = (float)Math.Exp(x[i]);
            long d = UlpDistance(y[i], expected);
            if (d > worst) { worst = d; worstAt = x[i]; }
        }
        Assert.True(worst <= 2, $"exp({worstAt}) is {worst} ulp away from Math.Exp");
    }

    [Fact]
    public void ExpSaturatesAndPropagatesNaN()
    {
        float[] x = [float.NegativeInfinity, -1000f, -104f, -87.3f, 0f, -0f, 88.72f, 88.73f, 1000f, float.PositiveInfinity, float.NaN, float.MaxValue, float.MinValue, 1e-30f, -1e-30f, float.Epsilon];
        var y = ExpOfEightLanes(x);
        Assert.Equal(0f, y[0]);
        Assert.Equal(0f, y[1]);
        Assert.Equal(0f, y[2]);
        Assert.True(UlpDistance(y[3], (float)Math.Exp(x[3])) <= 2);
        Assert.Equal(1f, y[4]);
        Assert.Equal(1f, y[5]);
        Assert.True(UlpDistance(y[6], (float)Math.Exp(x[6])) <= 2 && float.IsFinite(y[6]));
        Assert.Equal(float.PositiveInfinity, y[7]);
        Assert.Equal(float.PositiveInfinity, y[8]);
        Assert.Equal(float.PositiveInfinity, y[9]);
        Assert.True(float.IsNaN(y[10]));
        Assert.Equal(float.PositiveInfinity, y[11]);
        Assert.Equal(0f, y[12]);
        Assert.Equal(1f, y[13]);
        Assert.Equal(1f, y[14]);
        Assert.Equal(1f, y[15]);
    }

    [Fact]
    public void ScalarExpAndTanhEqualEveryVectorLane()
    {
        var rng = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            var x = Vector256.Create(Enumerable.Range(0, 8).Select(_ => (float)(rng.NextDouble() * 60 - 30)).ToArray());
            var e = FastMath.Exp(x); var t = FastMath.Tanh(x);
            for (int l = 0; l < 8; l++)
            {
                Assert.Equal(FastMath.Exp(x[l]), e[l]);
                Assert.Equal(FastMath.Tanh(x[l]), t[l]);
            }
        }
    }

    [Fact]
    public void TanhHasAbsoluteErrorBelowThreeHalfUlpsOfOneAndSaturates()
    {
        double worst = 0;
        for (double u = -20; u <= 20; u += 1.0 / 4096)
        {
            float uf = (float)u;
            double err = Math.Abs(FastMath.Tanh(uf) - Math.Tanh(uf));
            worst = Math.Max(worst, err);
        }
        Assert.True(worst <= 3 * Math.Pow(2, -24), $"worst absolute error {worst:E3}");
        Assert.Equal(1f, FastMath.Tanh(float.PositiveInfinity));
        Assert.Equal(-1f, FastMath.Tanh(float.NegativeInfinity));
        Assert.Equal(1f, FastMath.Tanh(100f));
        Assert.Equal(-1f, FastMath.Tanh(-100f));
        Assert.Equal(0f, FastMath.Tanh(0f));
        Assert.True(float.IsNaN(FastMath.Tanh(float.NaN)));
    }
}
