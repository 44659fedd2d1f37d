using System.Globalization;
using FsCheck.Xunit;

namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// Blockwise adam interpolates between adam and adasgd (docs/equations.md#blockwise_adam): with one block per coordinate it
/// is adamw (decoupled decay), with one block it is adasgd. The implementations share no code path
/// (blockwise reduces mean g² over a block before its v update, adam keeps v per coordinate), so they agree to float
/// rounding, not bit for bit. The tolerance 1e-4·η + 1e-6·|θ| is far below what any change of the
/// mathematics produces (a missing bias correction or a coupled decay moves θ by O(η) per step).
/// </summary>
public sealed class BlockwiseAdamProperties
{
    private static Dictionary<string, string> Settings(double lr, double b1, double b2, double wd) => new()
    {
        ["lr"] = lr.ToString("R", CultureInfo.InvariantCulture),
        ["beta1"] = b1.ToString("R", CultureInfo.InvariantCulture),
        ["beta2"] = b2.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = wd.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void AssertClose(float[][] expected, float[][] actual, double lr, string what)
    {
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++)
            {
                double e = expected[k][i], a = actual[k][i];
                Assert.True(Math.Abs(a - e) <= 1e-4 * lr + 1e-6 * Math.Abs(e), $"{what}: tensor {k}[{i}] {a:R} vs {e:R} (η = {lr:R})");
            }
    }

    [Property(MaxTest = 40)]
    public void Per_coordinate_blocks_equal_adamw(int seed)
    {
        var rng = new TestRandom(seed);
        double lr = rng.LogUniform(-4, -1), b1 = rng.Pick(0.0, 0.9, 0.95), b2 = rng.Pick(0.9, 0.99, 0.999), wd = rng.Pick(0.0, 0.01, 0.3);
        var layout = new (string, int[], int)[] { ("w", [rng.Int(1, 9), rng.Int(1, 13)], 0), ("b", [rng.Int(1, 40)], 0) };
        var a = new TestModel(seed, layout);
        var b = a.Copy();
        var adamw = OptimizerFactory.Create($"adamw:lr={lr:R},beta1={b1:R},beta2={b2:R},weight_decay={wd:R}", a.Groups());
        var blockwise = new BlockwiseAdam(b.Groups(), Settings(lr, b1, b2, wd), BlockPartition.PerCoordinate);
        for (int t = 1; t <= 12; t++)
        {
            a.SetGradients(t); b.SetGradients(t);
            adamw.Step(); blockwise.Step();
            AssertClose(a.Values(), b.Values(), lr, $"step {t}");
        }
    }

    [Property(MaxTest = 40)]
    public void One_block_equals_adasgd(int seed)
    {
        var rng = new TestRandom(seed);
        double lr = rng.LogUniform(-4, -1), b1 = rng.Pick(0.0, 0.9), b2 = rng.Pick(0.9, 0.999), wd = rng.Pick(0.0, 0.1);
        var layout = new (string, int[], int)[] { ("w", [rng.Int(1, 9), rng.Int(1, 13)], 0) };
        var a = new TestModel(seed, layout);
        var b = a.Copy();
        var c = a.Copy();
        var adasgd = OptimizerFactory.Create($"adasgd:lr={lr:R},beta1={b1:R},beta2={b2:R},weight_decay={wd:R}", a.Groups());
        var perTensor = new BlockwiseAdam(b.Groups(), Settings(lr, b1, b2, wd), BlockPartition.PerTensor);
        var custom = new BlockwiseAdam(c.Groups(), Settings(lr, b1, b2, wd), BlockPartition.Custom("all_zero", p => new int[p.Length]));
        for (int t = 1; t <= 12; t++)
        {
            a.SetGradients(t); b.SetGradients(t); c.SetGradients(t);
            adasgd.Step(); perTensor.Step(); custom.Step();
            AssertClose(a.Values(), b.Values(), lr, $"per-tensor block, step {t}");
            AssertClose(a.Values(), c.Values(), lr, $"custom single block, step {t}");
        }
    }

    /// <summary>Guards the two properties above against being vacuous: per-coordinate and one-block blockwise adam differ.</summary>
    [Fact]
    public void Per_coordinate_and_single_block_differ_on_mixed_scales()
    {
        var layout = new (string, int[], int)[] { ("w", [4, 6], 0), ("b", [7], 0) };
        var a = new TestModel(3, layout);
        var b = a.Copy();
        var perCoordinate = new BlockwiseAdam(a.Groups(), Settings(1e-2, 0.9, 0.999, 0), BlockPartition.PerCoordinate);
        var single = new BlockwiseAdam(b.Groups(), Settings(1e-2, 0.9, 0.999, 0), BlockPartition.PerGroup);
        a.Run(perCoordinate, 0, 5); b.Run(single, 0, 5);
        double maxDiff = a.Values().Zip(b.Values()).Max(z => z.First.Zip(z.Second).Max(x => Math.Abs(x.First - x.Second)));
        Assert.True(maxDiff > 1e-3, $"max difference {maxDiff}");
    }
}
