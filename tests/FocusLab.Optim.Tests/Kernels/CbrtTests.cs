using System.Runtime.Intrinsics;

namespace FocusLab.Optim.Tests.Kernels;

public class CbrtTests
{
    [Fact]
    public void Cube_root_is_float_accurate_over_the_normal_range_and_zero_at_zero()
    {
        var rng = new Random(5);
        Assert.Equal(0f, Simd.Cbrt(0f));
        Assert.Equal(0f, Simd.Cbrt(Vector256<float>.Zero).GetElement(3));
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            float x = (float)Math.Pow(10, rng.NextDouble() * 70 - 35);   // 1e-35 … 1e35
            double exact = Math.Cbrt(x);
            worst = Math.Max(worst, Math.Abs(Simd.Cbrt(x) - exact) / exact);
        }
        Assert.True(worst < 5e-7, $"worst relative error {worst}");
    }

    [Fact]
    public void Vector_and_scalar_forms_are_bit_identical()
    {
        var rng = new Random(6);
        var xs = new float[8];
        for (int k = 0; k < 10_000; k++)
        {
            for (int i = 0; i < 8; i++) xs[i] = (float)Math.Pow(10, rng.NextDouble() * 40 - 20);
            var v = Simd.Cbrt(Vector256.Create(xs));
            for (int i = 0; i < 8; i++) Assert.Equal(Simd.Cbrt(xs[i]), v.GetElement(i));
        }
    }
}
