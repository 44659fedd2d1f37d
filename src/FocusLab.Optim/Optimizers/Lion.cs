using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Lion (Chen et al. 2023): the sign of an interpolation c = β1 m + (1−β1) g, with decoupled weight
/// decay; the momentum is updated afterwards with β2. One state buffer (4 bytes per parameter).
/// </summary>
public sealed class Lion : RuleOptimizer<LionRule>
{
    /// <summary>The hyperparameters of <c>lion</c> with their defaults and valid ranges: lr 1e-4, beta1 0.9, beta2 0.99, weight_decay 0 (decoupled).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-4),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.99),
        Hyperparameter.WeightDecay(0),
    ];

    /// <summary>Lion over the groups; allocates the momentum (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Lion(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("lion", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray());
    }

    /// <inheritdoc/>
    protected override LionRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2");
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2));
    }
}

/// <summary>Lion's step: θ ← θ − η wd θ − η sign(β1 m + (1−β1) g), then m ← β2 m + (1−β2) g. State s0 = m.</summary>
/// <param name="Beta1">β1 of the interpolation.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2 of the momentum.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
public readonly record struct LionRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, B2 = 2, C2 = 3, NegLr = 4, NegLrWd = 5;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[NegLr] = -lr; c[NegLrWd] = -(lr * weightDecay);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var interpolation = TVec.Fma(c[B1], m, c[C1] * g);
        theta = TVec.Fma(c[NegLr], TVec.Sign(interpolation), TVec.Fma(c[NegLrWd], theta, theta)); // −η·sign is exact
        m = TVec.Fma(c[B2], m, c[C2] * g);
    }
}
