using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Adan (Xie et al. 2024, "Adaptive Nesterov Momentum"), a baseline of the S3 paper:
/// d = g − g_prev (0 at t = 1); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) d; n ← β3 n + (1−β3)(g + β2 d)²;
/// u = (m/(1−β1^t) + β2 v/(1−β2^t)) / (√(n/(1−β3^t)) + eps); θ ← (θ − η u)/(1 + η wd) (proximal decay),
/// or with <c>decay=decoupled</c> θ ← θ(1 − η wd) − η u.
/// </summary>
public sealed class Adan : RuleOptimizer<AdanRule>
{
    /// <summary>The hyperparameters of <c>adan</c> with their defaults and valid ranges: lr 1e-3, beta1 0.98, beta2 0.92, beta3 0.99, eps 1e-8, weight_decay 0, decay proximal.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.98),
        Hyperparameter.Beta("beta2", 0.92),
        Hyperparameter.Beta("beta3", 0.99),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Choice("decay", "proximal", ["proximal", "decoupled"], "how weight decay is applied"),
    ];

    /// <summary>Adan over the groups; allocates m, v, n and the previous gradient (16 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Adan(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("adan", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray(), Parameters.Select(p => NewState(p, "exp_avg_diff")).ToArray(),
            Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray(), Parameters.Select(p => NewState(p, "prev_grad")).ToArray());
    }

    /// <inheritdoc/>
    protected override AdanRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), b3 = g.Get("beta3");
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)b3, (float)(1 - b3),
            (float)(1 / (1 - Math.Pow(b1, t))), (float)(b2 / (1 - Math.Pow(b2, t))), (float)(1 / Math.Sqrt(1 - Math.Pow(b3, t))),
            (float)g.Get("eps"), g.Get("decay") == 0, t == 1);
    }
}

/// <summary>
/// Adan's step (see <see cref="Adan"/>); states s0 = m, s1 = v, s2 = n, s3 = the previous gradient.
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="Beta3">β3.</param>
/// <param name="OneMinusBeta3">1 − β3.</param>
/// <param name="InverseBiasCorrection1">1/(1 − β1^t).</param>
/// <param name="Beta2OverBiasCorrection2">β2/(1 − β2^t).</param>
/// <param name="InverseSqrtBiasCorrection3">1/√(1 − β3^t).</param>
/// <param name="Eps">eps.</param>
/// <param name="Proximal">Proximal decay ÷(1 + η wd) (else decoupled θ(1 − η wd)).</param>
/// <param name="First">t = 1: the gradient difference is 0.</param>
public readonly record struct AdanRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float Beta3, float OneMinusBeta3,
    float InverseBiasCorrection1, float Beta2OverBiasCorrection2, float InverseSqrtBiasCorrection3, float Eps, bool Proximal, bool First) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, B2 = 2, C2 = 3, B3 = 4, C3 = 5, K1 = 6, K2 = 7, Isb3 = 8, EpsV = 9, Pre = 10, Post = 11, Difference = 12;

    /// <inheritdoc/>
    public static int StateCount => 4;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1); c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
        c[B3] = TVec.Create(Beta3); c[C3] = TVec.Create(OneMinusBeta3);
        c[Isb3] = TVec.Create(InverseSqrtBiasCorrection3); c[EpsV] = TVec.Create(Eps);
        c[Difference] = TVec.Create(First ? 0 : 1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        var one = TVec.Create(1);
        c[K1] = lr * TVec.Create(InverseBiasCorrection1); c[K2] = lr * TVec.Create(Beta2OverBiasCorrection2);
        c[Pre] = Proximal ? one : one - lr * weightDecay;
        c[Post] = Proximal ? one / (one + lr * weightDecay) : one;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec v, ref TVec n, ref TVec previous) where TVec : struct, IFloatVector<TVec>
    {
        var d = (g - previous) * c[Difference];
        m = TVec.Fma(c[B1], m, c[C1] * g);
        v = TVec.Fma(c[B2], v, c[C2] * d);
        var x = TVec.Fma(c[B2], d, g);
        n = TVec.Fma(c[B3], n, c[C3] * (x * x));
        previous = g;
        var u = TVec.Fma(c[K1], m, c[K2] * v) / TVec.Fma(TVec.Sqrt(n), c[Isb3], c[EpsV]);
        theta = (theta * c[Pre] - u) * c[Post];
    }
}
