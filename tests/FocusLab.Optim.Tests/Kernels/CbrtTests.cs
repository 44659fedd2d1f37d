using System.Runtime.Intrinsics;

namespace FocusLab.Optim.Tests.Kernels;

public class CbrtTests
{
    private static float Cbrt128(float x) => FloatVectorMath.Cbrt(FloatVector128.Create(x)).V.GetElement(0);

    [Fact]
    public void Cube_root_is_float_accurate_over_the_normal_range_and_zero_at_zero()
    {
        var rng = new Random(5);
        Assert.Equal(0f, Cbrt128(0f));
        Assert.Equal(0f, FloatVectorMath.Cbrt(FloatVector512.Create(0)).V.GetElement(3));
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            float x = (float)Math.Pow(10, rng.NextDouble() * 70 - 35);   // 1e-35 … 1e35
            double exact = Math.Cbrt(x);
            worst = Math.Max(worst, Math.Abs(Cbrt128(x) - exact) / exact);
        }
        Assert.True(worst < 5e-7, $"worst relative error {worst}");
    }

    [Fact]
    public void Every_vector_width_gives_the_same_bits()
    {
        var rng = new Random(6);
        var xs = new float[16];
        for (int k = 0; k < 10_000; k++)
        {
            for (int i = 0; i < 16; i++) xs[i] = (float)Math.Pow(10, rng.NextDouble() * 40 - 20);
            var wide = FloatVectorMath.Cbrt(new FloatVector512(Vector512.Create(xs))).V;
            var mid = FloatVectorMath.Cbrt(new FloatVector256(Vector256.Create(xs))).V;
            for (int i = 0; i < 16; i++)
            {
                Assert.Equal(Cbrt128(xs[i]), wide.GetElement(i));
                if (i < 8) Assert.Equal(Cbrt128(xs[i]), mid.GetElement(i));
            }
        }
    }
}
