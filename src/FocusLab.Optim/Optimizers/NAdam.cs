using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// NAdam (Dozat 2016) with PyTorch semantics as fixed upstream (pytorch PR #92699): coupled L2,
/// momentum warm-up μ_t = β1(1 − ½·0.96^(t·ψ)) with ψ = momentum_decay, P_t = μ_1⋯μ_t, and
/// θ −= η[(1−μ_t)/(1−P_t)·g + μ_{t+1}/(1−P_t μ_{t+1})·m] / (√(v/(1−β2^t)) + eps).
/// </summary>
public sealed class NAdam : RuleOptimizer<NAdamRule>
{
    /// <summary>The hyperparameters of <c>nadam</c> with their defaults and valid ranges: lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0 (coupled L2), momentum_decay 4e-3.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(2e-3),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Real("momentum_decay", 4e-3, 0, double.PositiveInfinity, description: "rate ψ of the momentum warm-up μ_t"),
    ];

    private readonly double[][] _muProduct;

    /// <summary>NAdam over the groups; allocates the first and second moments (8 bytes per coordinate) and keeps the running product P_t of μ_t per group.</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public NAdam(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("nadam", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray(), Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray());
        _muProduct = Groups.Select(g => NewGroupState(g, "mu_product", 1)).ToArray();
        foreach (var mp in _muProduct) mp[0] = 1;
    }

    /// <summary>Advances the momentum warm-up μ_t, μ_{t+1} and the product P_t for the group (so call once per step, in order), and returns the rule with the two mixing coefficients.</summary>
    protected override NAdamRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), psi = g.Get("momentum_decay");
        double mu = b1 * (1 - 0.5 * Math.Pow(0.96, t * psi));
        double muNext = b1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        double p = _muProduct[g.Index][0] * mu;
        _muProduct[g.Index][0] = p;
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)((1 - mu) / (1 - p)), (float)(muNext / (1 - p * muNext)),
            (float)(1 / Math.Sqrt(1 - Math.Pow(b2, t))), (float)g.Get("eps"));
    }
}

/// <summary>NAdam's step: g ← g + wd θ; m, v as Adam; θ ← θ − η(c_g g + c_m m)/(√v/√(1−β2^t) + eps). States s0 = m, s1 = v.</summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="GradientWeight">(1−μ_t)/(1−P_t).</param>
/// <param name="MomentumWeight">μ_{t+1}/(1−P_t μ_{t+1}).</param>
/// <param name="InverseSqrtBiasCorrection2">1/√(1 − β2^t).</param>
/// <param name="Eps">eps.</param>
public readonly record struct NAdamRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float GradientWeight, float MomentumWeight,
    float InverseSqrtBiasCorrection2, float Eps) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, B2 = 2, C2 = 3, Wd = 4, Cg = 5, Cm = 6, Isb = 7, EpsV = 8;

    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
        c[Isb] = TVec.Create(InverseSqrtBiasCorrection2); c[EpsV] = TVec.Create(Eps);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Wd] = weightDecay; c[Cg] = lr * TVec.Create(GradientWeight); c[Cm] = lr * TVec.Create(MomentumWeight);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec v, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        g = TVec.Fma(c[Wd], theta, g);
        m = TVec.Fma(c[B1], m, c[C1] * g);
        v = TVec.Fma(c[B2], v, c[C2] * (g * g));
        theta -= TVec.Fma(c[Cg], g, c[Cm] * m) / TVec.Fma(TVec.Sqrt(v), c[Isb], c[EpsV]);
    }
}
