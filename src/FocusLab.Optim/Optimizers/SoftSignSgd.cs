using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// S3, SoftSignSGD ("SoftSignSGD (S3)", ICLR 2025 submission): a sign-like step n/(b + eps) where b is
/// the p-th root of an EMA of |g|^p. With one shared β (beta1 = beta2) every coordinate moves by at
/// most η (the paper's Theorem 2). Nesterov uses the look-ahead n = β m + (1−β) g and
/// b = (β s + (1−β)|g|^p)^(1/p) with the updated m and s.
/// </summary>
public sealed class SoftSignSgd : RuleOptimizer<SoftSignRule>
{
    /// <summary>The hyperparameters of <c>s3</c> with their defaults and valid ranges: lr 1e-3, beta1 0.95, beta2 0.95, p 3, eps 1e-8, weight_decay 0 (decoupled), nesterov true.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.95),
        Hyperparameter.Beta("beta2", 0.95),
        Hyperparameter.Real("p", 3, 1, double.PositiveInfinity, description: "power of the soft-sign denominator"),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Flag("nesterov", true, "Nesterov look-ahead"),
    ];

    /// <summary>S3 over the groups; allocates the momentum m and the EMA s of |g|^p (8 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public SoftSignSgd(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("s3", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray(), Parameters.Select(p => NewState(p, "exp_avg_pow")).ToArray());
    }

    /// <inheritdoc/>
    protected override SoftSignRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), p = g.Get("p");
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)p, (float)(1 / p), (float)g.Get("eps"), g.GetFlag("nesterov"));
    }

    /// <summary>The paper's setting (p = 3, Nesterov) runs as <see cref="SoftSignCubeRule"/>: the same step with p and Nesterov as constants, so the driver's loop holds no out-of-line call.</summary>
    protected override void UpdateRange(int param, int start, int end)
    {
        if (CurrentRule.IsCubeNesterov) Run(new SoftSignCubeRule(CurrentRule), param, start, end);
        else base.UpdateRange(param, start, end);
    }
}

/// <summary>
/// <see cref="SoftSignRule"/> in the paper's setting (p = 3, Nesterov), for FocusLab.Optim's driver: its own maths, with
/// no branch to the general power's out-of-line path, which makes the JIT keep the loop's pointers on the stack
/// (bench optim, one 16M-float buffer: 40 ms with it, see docs/performance.md).
/// </summary>
internal readonly struct SoftSignCubeRule(SoftSignRule rule) : IUpdateRule
{
    public static int StateCount => SoftSignRule.StateCount;

    public static int MaxVectorBits => SoftSignRule.MaxVectorBits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => rule.BroadcastStep(ref c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> =>
        rule.BroadcastRun(lr, weightDecay, ref c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec> =>
        SoftSignRule.Step(c, ref theta, g, ref m, ref s, 3f, 1f / 3f, nesterov: true);
}

/// <summary>
/// S3's step: m ← β1 m + (1−β1) g; s ← β2 s + (1−β2)|g|^p; θ ← θ − η wd θ − η n/(b + eps) with
/// n = m, b = s^(1/p), or with Nesterov the look-aheads n = β1 m + (1−β1) g, b = (β2 s + (1−β2)|g|^p)^(1/p).
/// States s0 = m, s1 = s.
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="P">The power p (2 and 3 are computed exactly / by <see cref="FloatVectorMath.Cbrt{TVec}"/>).</param>
/// <param name="InverseP">1/p.</param>
/// <param name="Eps">eps added to the root.</param>
/// <param name="Nesterov">Whether to use the Nesterov look-ahead.</param>
public readonly record struct SoftSignRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float P, float InverseP, float Eps, bool Nesterov) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, B2 = 2, C2 = 3, Lr = 4, NegLrWd = 5, EpsV = 6;

    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <summary>256: the cube root is bound by arithmetic, and `bench optim` measured s3's single-thread step at 44 ms with 512-bit vectors against 24–28 ms with 256-bit ones on this AMD EPYC (same bits either way).</summary>
    public static int MaxVectorBits => 256;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
        c[EpsV] = TVec.Create(Eps);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Lr] = lr; c[NegLrWd] = -(lr * weightDecay);
    }

    // The paper's setting (p = 3, Nesterov) is one predictable test per vector and a straight-line
    // cube-root step with the state in registers. Any other p (exp/log calls) runs out of line on copies,
    // so its calls do not make the JIT keep the hot path's state vectors in memory. FocusLab.Optim's own
    // driver skips even the test (SoftSignCubeRule); the sweep engine runs this rule (docs/performance.md).
    internal bool IsCubeNesterov => P == 3f && Nesterov;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining), SkipLocalsInit] // the copies are always written before use: no zeroing per vector
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        if (IsCubeNesterov)
        {
            Step(c, ref theta, g, ref m, ref s, 3f, 1f / 3f, nesterov: true);
            return;
        }
        TVec th = theta, mt = m, st = s;
        StepAnyPower(c, ref th, g, ref mt, ref st, P, InverseP, Nesterov);
        theta = th; m = mt; s = st;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepAnyPower<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s, float p, float inverseP, bool nesterov)
        where TVec : struct, IFloatVector<TVec> => Step(c, ref theta, g, ref m, ref s, p, inverseP, nesterov);

    // The one definition of the step; p and Nesterov are constants when inlined into the p = 3 path.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Step<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s, float p, float inverseP, bool nesterov)
        where TVec : struct, IFloatVector<TVec>
    {
        var gp = FloatVectorMath.Pow(TVec.Abs(g), p);
        var cg = c[C1] * g; var cgp = c[C2] * gp;
        m = TVec.Fma(c[B1], m, cg);
        s = TVec.Fma(c[B2], s, cgp);
        var n = nesterov ? TVec.Fma(c[B1], m, cg) : m;
        var b = FloatVectorMath.Root(nesterov ? TVec.Fma(c[B2], s, cgp) : s, p, inverseP);
        theta = TVec.Fma(c[NegLrWd], theta, theta) - c[Lr] * n / (b + c[EpsV]);
    }
}
