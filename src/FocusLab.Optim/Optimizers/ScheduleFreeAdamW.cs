using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled"; the reference algorithm of
/// facebookresearch/schedule_free). Three sequences start at θ₀: z (the base AdamW-like iterate),
/// x (a weighted average of z, the point to evaluate and save) and y (where gradients are taken, held by
/// the parameters while training). Step k = 0, 1, … of a group:
/// <code>
/// η_k = η·min(1, (k+1)/warmup_steps);  η_max = max(η_max, η_k);  w = (k+1)^r·η_max^weight_lr_power;  W += w;  c = w/W
/// z ← z − η_k wd y                                   (decay evaluated at y)
/// v ← β2 v + (1−β2) g²;  z ← z − η_k g / (√(v/(1−β2^(k+1))) + eps)
/// x ← (1−c) x + c z;      y ← β1 x + (1−β1) z
/// </code>
/// No learning-rate schedule is needed (use a constant one). <see cref="Eval"/> switches the parameters
/// to x, <see cref="Train"/> back to y (recomputed from x and z with the same float operations as the
/// step, so switching never perturbs training). The mode is saved with the state. State: z, x, v
/// (12 bytes per parameter) and per group η_max, W and the mode.
/// </summary>
public sealed class ScheduleFreeAdamW : RuleOptimizer<ScheduleFreeAdamWRule>, ITrainEvalSwitch
{
    /// <summary>The reference implementation's defaults.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(0.0025),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Real("warmup_steps", 0, 0, double.PositiveInfinity, description: "linear warm-up of the step size over this many steps (0: none)"),
        Hyperparameter.Real("r", 0, 0, double.PositiveInfinity, description: "polynomial weighting (k+1)^r of the average"),
        Hyperparameter.Real("weight_lr_power", 2, 0, double.PositiveInfinity, description: "the average weights steps by η_max^weight_lr_power"),
    ];

    private const int LrMax = 0, WeightSum = 1, EvalMode = 2;

    private readonly float[][] _z, _x, _v;
    private readonly double[][] _schedule;          // per group: η_max, W, 1 when in evaluation mode

    /// <summary>Builds schedule-free AdamW over <paramref name="groups"/>.</summary>
    /// <param name="groups">Parameter groups with their overrides.</param>
    /// <param name="settings">Spec-level hyperparameter values.</param>
    public ScheduleFreeAdamW(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("schedulefree_adamw", Defaults, groups, settings)
    {
        _z = Parameters.Select(p => NewState(p, "z")).ToArray();
        _x = Parameters.Select(p => NewState(p, "x")).ToArray();
        _v = Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray();
        UseStates(_z, _x, _v);
        _schedule = Groups.Select(g => NewGroupState(g, "schedule_free", 3)).ToArray();
    }

    /// <inheritdoc/>
    public bool IsTraining => _schedule.All(s => s[EvalMode] == 0);

    /// <inheritdoc/>
    public void Train()
    {
        foreach (var g in Groups)
        {
            if (_schedule[g.Index][EvalMode] == 0) continue;
            if (StepCount > 0)
            {
                double b1 = g.Get("beta1");
                var interpolate = new ScheduleFreeInterpolationRule((float)b1, (float)(1 - b1));
                foreach (var p in g.Parameters)
                {
                    int k = IndexOf(p);
                    RuleDriver.Run(interpolate, 0, 0, p.DataSpan, p.GradSpan, _x[k], _z[k], default, default, 0, p.Length);
                }
            }
            _schedule[g.Index][EvalMode] = 0;
        }
    }

    /// <inheritdoc/>
    public void Eval()
    {
        foreach (var g in Groups)
        {
            if (_schedule[g.Index][EvalMode] == 1) continue;
            foreach (var p in g.Parameters)
                if (StepCount > 0) _x[IndexOf(p)].CopyTo(p.DataSpan);
            _schedule[g.Index][EvalMode] = 1;
        }
    }

    /// <summary>Advances the group's schedule (η_max, W; so call once per step, in order) and returns the step's rule.</summary>
    protected override ScheduleFreeAdamWRule CreateRule(ParameterGroup g, long t)
    {
        var s = _schedule[g.Index];
        if (s[EvalMode] != 0)
            throw new InvalidOperationException("schedulefree_adamw: Step() while the parameters hold the evaluation point x; call Train() first (gradients must be taken at y).");
        long k = t - 1;
        double warmup = g.Get("warmup_steps");
        double factor = k < warmup ? (k + 1) / warmup : 1.0;
        s[LrMax] = Math.Max(s[LrMax], g.Lr * factor);
        double w = Math.Pow(k + 1, g.Get("r")) * Math.Pow(s[LrMax], g.Get("weight_lr_power"));
        s[WeightSum] += w;
        double c = s[WeightSum] > 0 ? w / s[WeightSum] : 0;
        double b1 = g.Get("beta1"), b2 = g.Get("beta2");
        return new((float)factor, (float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)(1 / (1 - Math.Pow(b2, t))), (float)g.Get("eps"),
            (float)c, (float)(1 - c), t == 1);
    }
}

/// <summary>
/// Schedule-free AdamW's step with η_k = η·warm-up factor (see <see cref="ScheduleFreeAdamW"/>); on the first
/// step z and x start at θ = y. States s0 = z, s1 = x, s2 = v; θ holds y.
/// </summary>
/// <param name="WarmupFactor">min(1, (k+1)/warmup_steps).</param>
/// <param name="Beta1">β1 of the interpolation y = β1 x + (1−β1) z.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="InverseBiasCorrection2">1/(1 − β2^t).</param>
/// <param name="Eps">eps.</param>
/// <param name="AverageWeight">c = w/W of the average x.</param>
/// <param name="OneMinusAverageWeight">1 − c.</param>
/// <param name="First">t = 1.</param>
public readonly record struct ScheduleFreeAdamWRule(float WarmupFactor, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
    float InverseBiasCorrection2, float Eps, float AverageWeight, float OneMinusAverageWeight, bool First) : IUpdateRule
{
    private const int Lr = 0, LrWd = 1, B2 = 2, C2 = 3, Ibc = 4, EpsV = 5, C = 6, OmC = 7, B1 = 8, C1 = 9;

    /// <inheritdoc/>
    public static int StateCount => 3;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
        c[Ibc] = TVec.Create(InverseBiasCorrection2); c[EpsV] = TVec.Create(Eps); c[C] = TVec.Create(AverageWeight);
        c[OmC] = TVec.Create(OneMinusAverageWeight); c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        var lrk = lr * TVec.Create(WarmupFactor);
        c[Lr] = lrk; c[LrWd] = lrk * weightDecay;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec y, TVec g, ref TVec z, ref TVec x, ref TVec v, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        if (First) { z = y; x = y; }
        v = TVec.Fma(c[B2], v, c[C2] * (g * g));
        z = TVec.Fma(-c[LrWd], y, z);
        z -= c[Lr] * g / (TVec.Sqrt(v * c[Ibc]) + c[EpsV]);
        x = TVec.Fma(c[OmC], x, c[C] * z);
        y = ScheduleFreeInterpolationRule.Interpolate(c[B1], c[C1], x, z);
    }
}

/// <summary>y = β1 x + (1−β1) z: the one definition used by the step and by <see cref="ScheduleFreeAdamW.Train"/>, so both give the same bits. States s0 = x, s1 = z.</summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
public readonly record struct ScheduleFreeInterpolationRule(float Beta1, float OneMinusBeta1) : IUpdateRule
{
    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <summary>β1 x + (1−β1) z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Interpolate<TVec>(TVec beta1, TVec oneMinusBeta1, TVec x, TVec z) where TVec : struct, IFloatVector<TVec> =>
        TVec.Fma(beta1, x, oneMinusBeta1 * z);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[0] = TVec.Create(Beta1); c[1] = TVec.Create(OneMinusBeta1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {

    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec y, TVec g, ref TVec x, ref TVec z, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec> =>
        y = Interpolate(c[0], c[1], x, z);
}
