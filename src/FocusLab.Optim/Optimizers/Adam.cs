using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) and AdamW (Loshchilov &amp; Hutter), PyTorch semantics: bias-corrected moments,
/// eps added after the square root. adam couples L2 into the gradient (g += wd θ); adamw decays
/// θ ← θ(1 − η wd) first. Supports Pan &amp; Li's clipped first moment (<see cref="IFirstMomentClipping"/>).
/// </summary>
public sealed class Adam : RuleOptimizer<AdamRule>, IFirstMomentClipping
{
    /// <summary>The hyperparameters of <c>adam</c> (<paramref name="decoupled"/> false) or <c>adamw</c> (true): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, and weight_decay 0 for adam, 1e-2 for adamw (PyTorch's defaults).</summary>
    /// <param name="decoupled">true for adamw's schema, false for adam's.</param>
    public static IReadOnlyList<Hyperparameter> DefaultsFor(bool decoupled) =>
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(decoupled ? 1e-2 : 0),
    ];

    private readonly float[] _tau;
    private readonly bool _decoupled;

    /// <summary>Adam or AdamW over the groups; allocates the first and second moments (8 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="DefaultsFor"/>); null keeps the defaults.</param>
    /// <param name="decoupled">true for adamw (decoupled weight decay), false for adam (L2 in the gradient).</param>
    public Adam(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null, bool decoupled = false)
        : base(decoupled ? "adamw" : "adam", DefaultsFor(decoupled), groups, settings)
    {
        _decoupled = decoupled;
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray(), Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray());
        _tau = Enumerable.Repeat(float.PositiveInfinity, Groups.Count).ToArray();
    }

    /// <inheritdoc/>
    protected override AdamRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2");
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)(1 / (1 - Math.Pow(b1, t))),
            (float)(1 / Math.Sqrt(1 - Math.Pow(b2, t))), (float)g.Get("eps"), _tau[g.Index],
            _decoupled ? WeightDecayKind.Decoupled : WeightDecayKind.Coupled);
    }

    /// <inheritdoc/>
    /// <remarks>For adam this is g + wd θ (coupled L2); for adamw the raw gradient.</remarks>
    public void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination)
    {
        float wd = _decoupled ? 0f : (float)group.Get("weight_decay");
        var g = p.GradSpan; var th = p.DataSpan;
        for (int i = 0; i < g.Length; i++) destination[i] = g[i] + wd * th[i];
    }

    /// <inheritdoc/>
    public void SetFirstMomentThreshold(ParameterGroup group, float tau) => _tau[group.Index] = tau;
}

/// <summary>How an optimizer applies weight decay.</summary>
public enum WeightDecayKind
{
    /// <summary>L2 in the gradient: g ← g + wd θ.</summary>
    Coupled,
    /// <summary>Decoupled: θ ← θ − η wd θ beside the update.</summary>
    Decoupled,
}

/// <summary>
/// Adam's step: g ← g + wd θ (coupled) ; m ← β1 m + (1−β1) clip(g, τ); v ← β2 v + (1−β2) g²;
/// θ ← θ − η wd θ (decoupled) − η/(1−β1^t) · m/(√v/√(1−β2^t) + eps). States s0 = m, s1 = v.
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="InverseBiasCorrection1">1/(1 − β1^t).</param>
/// <param name="InverseSqrtBiasCorrection2">1/√(1 − β2^t).</param>
/// <param name="Eps">eps, added after the square root.</param>
/// <param name="Tau">First-moment clipping threshold τ (+∞: off).</param>
/// <param name="WeightDecay">Coupled (adam) or decoupled (adamw).</param>
public readonly record struct AdamRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float InverseBiasCorrection1,
    float InverseSqrtBiasCorrection2, float Eps, float Tau, WeightDecayKind WeightDecay) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, B2 = 2, C2 = 3, Coupled = 4, NegLrWd = 5, StepSize = 6, Isb = 7, EpsV = 8, TauV = 9, Ib1 = 10;

    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
        c[Isb] = TVec.Create(InverseSqrtBiasCorrection2); c[EpsV] = TVec.Create(Eps); c[Ib1] = TVec.Create(InverseBiasCorrection1);
        BroadcastFirstMomentThreshold(TVec.Create(Tau), ref c);
    }

    /// <inheritdoc/>
    public static bool ClipsFirstMoment => true;

    /// <inheritdoc/>
    /// <remarks>A caller storing per-lane thresholds builds the rule with a finite <see cref="Tau"/>: at +∞ <see cref="Apply{TVec}"/> skips the clamp.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BroadcastFirstMomentThreshold<TVec>(TVec tau, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => c[TauV] = tau;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec FirstMomentThresholdGradient<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g) where TVec : struct, IFloatVector<TVec> =>
        WeightDecay == WeightDecayKind.Coupled ? g + c[Coupled] * theta : g; // not fused: Adam.EffectiveGradient's rounding

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        bool coupled = WeightDecay == WeightDecayKind.Coupled;
        c[Coupled] = coupled ? weightDecay : TVec.Create(0);
        c[NegLrWd] = coupled ? TVec.Create(0) : -(lr * weightDecay);
        c[StepSize] = lr * c[Ib1]; // broadcast once per step, not once per learning rate of the sweep engine
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec v, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var th = theta;
        // Per-step choices as branches (predicted, off the vector ports) rather than no-op vector work.
        if (WeightDecay == WeightDecayKind.Coupled) g = TVec.Fma(c[Coupled], th, g);
        var clipped = g;
        if (Tau < float.PositiveInfinity) { var tau = c[TauV]; clipped = TVec.Min(TVec.Max(g, -tau), tau); }
        m = TVec.Fma(c[B1], m, c[C1] * clipped);
        v = TVec.Fma(c[B2], v, c[C2] * (g * g));
        theta = TVec.Fma(c[NegLrWd], th, th) - c[StepSize] * m / TVec.Fma(TVec.Sqrt(v), c[Isb], c[EpsV]);
    }
}
