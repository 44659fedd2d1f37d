namespace FocusLab.Optim.Tests;

/// <summary>
/// A set of named parameters in groups plus a deterministic gradient stream: gradient of step t depends
/// only on (seed, t), never on θ, so two runs over copies see the same gradients.
/// </summary>
internal sealed class TestModel
{
    private readonly int _seed;

    public Parameter[] Parameters { get; }
    /// <summary>Group index of each parameter.</summary>
    public int[] GroupOf { get; }

    public TestModel(int seed, (string Name, int[] Shape, int Group)[] layout, float[][]? values = null)
    {
        _seed = seed;
        var rng = new TestRandom(seed);
        Parameters = layout.Select((l, k) =>
        {
            int n = l.Shape.Aggregate(1, (a, d) => a * d);
            var data = values is null ? rng.NormalArray(n) : (float[])values[k].Clone();
            return new Parameter(l.Name, l.Shape, data, new float[n]);
        }).ToArray();
        GroupOf = layout.Select(l => l.Group).ToArray();
    }

    /// <summary>The usual layout of the state tests: a matrix, a vector (second group) and a rank-3 tensor.</summary>
    public static (string, int[], int)[] SmallLayout => [("w", [6, 40], 0), ("b", [33], 1), ("k", [3, 4, 5], 0)];

    /// <summary>A fresh model with the same names, shapes, groups and gradient stream over copies of this model's current values.</summary>
    public TestModel Copy() => new(_seed, Parameters.Select((p, k) => (p.Name, p.Shape, GroupOf[k])).ToArray(), Values());

    public float[][] Values() => Parameters.Select(p => p.DataSpan.ToArray()).ToArray();

    /// <summary>Groups for the factory; group g gets the given overrides (e.g. weight_decay per group).</summary>
    public ParameterGroupSpec[] Groups(params (string Name, object Value)[][] overridesPerGroup)
    {
        int count = GroupOf.Max() + 1;
        return Enumerable.Range(0, count).Select(g => new ParameterGroupSpec(
            Parameters.Where((_, k) => GroupOf[k] == g).ToArray(),
            g < overridesPerGroup.Length ? overridesPerGroup[g] : [])).ToArray();
    }

    /// <summary>Writes the gradient of step t: N(0,1) times a per-tensor scale, about 15% exact zeros.</summary>
    public void SetGradients(long t)
    {
        for (int k = 0; k < Parameters.Length; k++)
        {
            var rng = new TestRandom(unchecked(_seed * 7919 + (int)t * 104729 + k * 31));
            double scale = Math.Pow(10, (k % 3) - 1);
            var g = Parameters[k].GradSpan;
            for (int i = 0; i < g.Length; i++) g[i] = rng.Chance(0.15) ? 0f : (float)(scale * rng.Normal());
        }
    }

    /// <summary>Runs steps from+1..to with the gradient stream and lr(t) applied to every group.</summary>
    public void Run(Optimizer opt, long from, long to, Func<long, double>? lr = null)
    {
        for (long t = from + 1; t <= to; t++)
        {
            if (lr is not null) foreach (var g in opt.Groups) g.Lr = lr(t);
            SetGradients(t);
            opt.Step();
        }
    }

    public static void AssertBitIdentical(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++)
                if (BitConverter.SingleToInt32Bits(expected[k][i]) != BitConverter.SingleToInt32Bits(actual[k][i]))
                    Assert.Fail($"{what}: tensor {k} coordinate {i} differs: {expected[k][i]:R} vs {actual[k][i]:R}");
    }
}
