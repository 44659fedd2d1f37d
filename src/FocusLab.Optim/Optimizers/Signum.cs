using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Signum (Bernstein et al. 2018): the sign of an exponential moving average of gradients, with
/// decoupled weight decay. m ← β1 m + (1−β1) g; θ ← θ(1−η wd) − η sign(m).
/// </summary>
public sealed class Signum : RuleOptimizer<SignumRule>
{
    /// <summary>The hyperparameters of <c>signum</c> with their defaults and valid ranges: lr 1e-4, beta1 0.9, weight_decay 0 (decoupled).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-4),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.WeightDecay(0),
    ];

    /// <summary>Signum over the groups; allocates the momentum (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Signum(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("signum", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray());
    }

    /// <inheritdoc/>
    protected override SignumRule CreateRule(ParameterGroup g, long t) => new((float)g.Get("beta1"), (float)(1 - g.Get("beta1")));
}

/// <summary>Signum's step: m ← β1 m + (1−β1) g; θ ← θ − η wd θ − η sign(m). State s0 = m.</summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1 (rounded from double).</param>
public readonly record struct SignumRule(float Beta1, float OneMinusBeta1) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, NegLr = 2, NegLrWd = 3;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
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
        m = TVec.Fma(c[B1], m, c[C1] * g);
        // −η·sign(m) is exact, so the fused form rounds once like θ(1 − η wd) − η sign(m) would after the decay.
        theta = TVec.Fma(c[NegLr], TVec.Sign(m), TVec.Fma(c[NegLrWd], theta, theta));
    }
}
