namespace FocusLab.Optim.Tests.Kernels;

/// <summary>
/// s3 in the paper's setting runs as <see cref="SoftSignCubeRule"/> in FocusLab.Optim and as <see cref="SoftSignRule"/>
/// (its p = 3 branch) in the sweep engine: the two must give the same bits.
/// </summary>
public class SoftSignPathTests
{
    [Fact]
    public void The_cube_rule_and_the_general_rule_give_the_same_bits()
    {
        const int n = 61; // a body and a partial last vector at every width
        var rng = new Random(11);
        float[] Values(double scale) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
        var rule = new SoftSignRule(0.95f, 0.05f, 0.95f, 0.05f, 3f, 1f / 3f, 1e-8f, Nesterov: true);
        Assert.True(rule.IsCubeNesterov);
        float[] thetaA = Values(1), mA = new float[n], sA = new float[n];
        float[] thetaB = (float[])thetaA.Clone(), mB = new float[n], sB = new float[n];
        for (int step = 0; step < 5; step++)
        {
            var g = Values(Math.Pow(10, step - 2)); // gradients from 1e-2 to 1e2: the cube root over a wide range
            RuleDriver.Run(rule, 1e-3f, 0.1f, thetaA, g, mA, sA, default, default, 0, n);
            RuleDriver.Run(new SoftSignCubeRule(rule), 1e-3f, 0.1f, thetaB, g, mB, sB, default, default, 0, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(thetaA[i]), BitConverter.SingleToInt32Bits(thetaB[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(mA[i]), BitConverter.SingleToInt32Bits(mB[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(sA[i]), BitConverter.SingleToInt32Bits(sB[i]));
            }
        }
    }
}
