using System.Runtime.Intrinsics;

namespace FocusLab.Optim.Tests.Kernels;

/// <summary>sign(x) (docs/equations.md#conventions: sign(0) = 0) has one meaning at every vector width: each width has its own instructions.</summary>
public class SignTests
{
    private static readonly float[] Special =
    [
        0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-38f, -1e-38f, float.MaxValue, float.MinValue,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN, 3.5f, -2e-20f,
    ];

    private static float Expected(float x) => float.IsNaN(x) || x == 0 ? 0f : MathF.Sign(x);

    [Fact]
    public void Every_width_gives_plus_or_minus_one_and_plus_zero_at_zero_and_nan()
    {
        var wide = FloatVector512.Sign(new FloatVector512(Vector512.Create(Special))).V;
        var mid0 = FloatVector256.Sign(new FloatVector256(Vector256.Create(Special.AsSpan(0, 8)))).V;
        var mid1 = FloatVector256.Sign(new FloatVector256(Vector256.Create(Special.AsSpan(8, 8)))).V;
        for (int i = 0; i < Special.Length; i++)
        {
            float narrow = FloatVector128.Sign(FloatVector128.Create(Special[i])).V.GetElement(0);
            float mid = i < 8 ? mid0.GetElement(i) : mid1.GetElement(i - 8);
            // Bit equality: +0 and −0 differ, and a −0 would change a later fused step's rounding of θ + η·sign.
            Assert.Equal(BitConverter.SingleToInt32Bits(Expected(Special[i])), BitConverter.SingleToInt32Bits(narrow));
            Assert.Equal(BitConverter.SingleToInt32Bits(narrow), BitConverter.SingleToInt32Bits(mid));
            Assert.Equal(BitConverter.SingleToInt32Bits(narrow), BitConverter.SingleToInt32Bits(wide.GetElement(i)));
        }
    }
}
