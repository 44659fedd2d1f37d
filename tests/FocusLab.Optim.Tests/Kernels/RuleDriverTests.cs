namespace FocusLab.Optim.Tests.Kernels;

/// <summary>
/// The rule driver computes the last partial vector with the same rule as the body (a padded vector, no
/// scalar copy), so a coordinate's result does not depend on whether it fell in the tail.
/// </summary>
public class RuleDriverTests
{
    public static TheoryData<string> RuleSpecs() =>
    [
        "sgd:momentum=0.9,nesterov=true,weight_decay=0.01", "adam:weight_decay=0.01", "adamw", "nadam:weight_decay=0.01",
        "rmsprop:centered=true,momentum=0.5", "rmsprop", "signum:weight_decay=0.1", "lion:weight_decay=0.1",
        "focus:weight_decay=0.1", "focus:decay=after,decay_target=theta,weight_decay=0.1", "s3", "s3:p=2.5,nesterov=false",
        "adan:weight_decay=0.02", "adan:decay=decoupled,weight_decay=0.02", "sophia", "schedulefree_adamw:warmup_steps=3",
    ];

    [Theory]
    [MemberData(nameof(RuleSpecs))]
    public void A_tail_coordinate_equals_the_same_coordinate_in_a_vector_body(string spec)
    {
        const int tail = 37, body = 64; // 37 = 2·16 + 5: every width leaves a partial last vector
        var rng = new Random(3);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var theta = Values(body);
        var shortP = new Parameter("short", theta[..tail]);
        var longP = new Parameter("long", theta.ToArray());
        // Two optimizers, one parameter each, so group-level reductions (clipping, blocks) see the same values.
        var a = OptimizerFactory.Create(spec, [shortP]);
        var b = OptimizerFactory.Create(spec, [new Parameter("pad", new float[1]), longP]);
        for (int step = 0; step < 6; step++)
        {
            var g = Values(body);
            g.AsSpan(0, tail).CopyTo(shortP.GradSpan);
            g.AsSpan(0, tail).CopyTo(longP.GradSpan);
            g.AsSpan(tail).Clear(); // the long parameter's extra coordinates see zero gradients
            g.AsSpan(tail).CopyTo(longP.GradSpan[tail..]);
            a.Step(); b.Step();
            for (int i = 0; i < tail; i++)
                Assert.True(shortP.DataSpan[i] == longP.DataSpan[i] || (float.IsNaN(shortP.DataSpan[i]) && float.IsNaN(longP.DataSpan[i])),
                    $"{spec} step {step} θ[{i}]: tail {shortP.DataSpan[i]}, body {longP.DataSpan[i]}");
        }
    }

    [Fact]
    public void The_driver_uses_the_widest_accelerated_vector()
    {
        int expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 : 4;
        Assert.Equal(expected, RuleDriver.Width);
    }
}
