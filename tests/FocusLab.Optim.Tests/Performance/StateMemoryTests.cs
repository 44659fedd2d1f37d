namespace FocusLab.Optim.Tests.Performance;

/// <summary>State bytes per parameter as the issue lists them, and Adafactor's O(rows + cols) factored state.</summary>
public sealed class StateMemoryTests
{
    [Theory]
    [InlineData("focus", 8)]
    [InlineData("adam", 8)]
    [InlineData("adamw", 8)]
    [InlineData("lion", 4)]
    [InlineData("signum", 4)]
    [InlineData("s3", 8)]
    public void State_bytes_per_parameter(string id, double bytes)
    {
        var ps = new[] { new Parameter("w", 64, 32), new Parameter("b", 17) };
        var opt = OptimizerFactory.Create(id, ps);
        Assert.Equal(bytes, opt.StateBytesPerParameter);
        Assert.Equal((long)(bytes * (64 * 32 + 17)), opt.StateBytes);
    }

    [Fact]
    public void Adafactor_keeps_one_row_and_one_column_vector_for_a_matrix()
    {
        var opt = OptimizerFactory.Create("adafactor", [new Parameter("w", 64, 32)]);
        Assert.Equal((64 + 32) * 4, opt.StateBytes);
        Assert.Equal((64 + 32) * 4 / (64.0 * 32), opt.StateBytesPerParameter);
    }
}
