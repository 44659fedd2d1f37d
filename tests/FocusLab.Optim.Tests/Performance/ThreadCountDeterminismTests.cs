namespace FocusLab.Optim.Tests.Performance;

/// <summary>Results do not depend on the thread count: the kernels split work into fixed chunks and reduce partial sums in a fixed order.</summary>
public sealed class ThreadCountDeterminismTests
{
    [Theory]
    [InlineData("adamw:weight_decay=0.1")]
    [InlineData("focus:weight_decay=0.1")]
    [InlineData("s3:weight_decay=0.1")]
    [InlineData("lion:weight_decay=0.1")]
    [InlineData("signum:weight_decay=0.1")]
    [InlineData("adasgd:weight_decay=0.1")]
    public void One_thread_and_two_threads_give_bit_identical_parameters(string spec)
    {
        var layout = new (string, int[], int)[] { ("big", [300_000], 0), ("b", [1001], 0) };
        var one = new TestModel(8, layout);
        var two = one.Copy();
        var a = OptimizerFactory.Create(spec, one.Groups());
        var b = OptimizerFactory.Create(spec, two.Groups());
        a.Threads = 1;
        b.Threads = 2;
        one.Run(a, 0, 4, t => 1e-3);
        two.Run(b, 0, 4, t => 1e-3);
        TestModel.AssertBitIdentical(one.Values(), two.Values(), $"{spec}, 1 vs 2 threads");
    }
}
