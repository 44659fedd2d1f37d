using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// SophiaG (Liu et al. 2023, "Sophia: A Scalable Stochastic Second-order Optimizer", the official code):
/// a sign-like step clipped by a diagonal Hessian estimate h.
/// <code>
/// θ ← θ(1 − η wd);  m ← β1 m + (1−β1) g;  θ ← θ − η·sign(m)·min(|m| / (ρ·bs·h + 1e-15), 1)
/// </code>
/// so every coordinate moves by at most η (plus the decay). h starts at 0 (pure sign steps) and
/// changes only in <see cref="UpdateHessian"/>: h ← β2 h + (1−β2) ĝ², ĝ the gradient now in the
/// gradient buffers — in training the Gauss–Newton–Bartlett gradient (labels sampled from the model's
/// softmax, one backward pass), computed every k steps. bs is the number of examples (tokens) per batch,
/// because the mean-loss gradient ĝ makes bs·ĝ² the Gauss–Newton diagonal estimate.
/// </summary>
public sealed class Sophia : RuleOptimizer<SophiaRule>, IHessianDiagonal
{
    /// <summary>SophiaG's defaults: lr 1e-4, β (0.965, 0.99), ρ 0.04, wd 0.1, bs 5120 (the official code's default; set it to the tokens per batch).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-4),
        Hyperparameter.Beta("beta1", 0.965),
        Hyperparameter.Beta("beta2", 0.99),
        Hyperparameter.Real("rho", 0.04, 0, double.PositiveInfinity, false, true, "ρ: the clipping scale of m/(ρ·bs·h)"),
        Hyperparameter.Real("bs", 5120, 0, double.PositiveInfinity, false, true, "examples (tokens) per batch in the Hessian scaling"),
        Hyperparameter.WeightDecay(0.1),
    ];

    private readonly float[][] _h;
    private readonly double[] _updates;
    private SophiaHessianRule? _hessianPass;

    /// <summary>Builds SophiaG over <paramref name="groups"/>.</summary>
    /// <param name="groups">Parameter groups with their overrides.</param>
    /// <param name="settings">Spec-level hyperparameter values.</param>
    public Sophia(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("sophia", Defaults, groups, settings)
    {
        var m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _h = Parameters.Select(p => NewState(p, "hessian")).ToArray();
        UseStates(m, _h);
        _updates = NewGroupState(Groups[0], "hessian_updates", 1);
    }

    /// <inheritdoc/>
    public long HessianUpdates => (long)_updates[0];

    /// <inheritdoc/>
    public void UpdateHessian()
    {
        try
        {
            for (int gi = 0; gi < Groups.Count; gi++)
            {
                double b2 = Groups[gi].Get("beta2");
                _hessianPass = new SophiaHessianRule((float)b2, (float)(1 - b2));
                RunChunks(Groups[gi], mode: 0);
            }
        }
        finally { _hessianPass = null; }
        _updates[0]++;
    }

    /// <inheritdoc/>
    protected override SophiaRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1");
        return new((float)b1, (float)(1 - b1), (float)(g.Get("rho") * g.Get("bs")));
    }

    /// <inheritdoc/>
    protected override void UpdateRange(int param, int start, int end)
    {
        if (_hessianPass is { } rule)
        {
            var p = Parameters[param];
            // θ is passed but the rule leaves it unchanged; h is the rule's only state.
            RuleDriver.Run(rule, 0, 0, p.DataSpan, p.GradSpan, _h[param], default, default, default, start, end);
        }
        else base.UpdateRange(param, start, end);
    }
}

/// <summary>
/// SophiaG's step: θ ← θ − η wd θ; m ← β1 m + (1−β1) g; θ ← θ − η clamp(m/(ρ·bs·h + 1e-15), −1, 1)
/// (= sign(m)·min(|m|/(ρ·bs·h + 1e-15), 1) exactly: IEEE division is sign-symmetric). States s0 = m, s1 = h (read only).
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Scale">ρ·bs.</param>
public readonly record struct SophiaRule(float Beta1, float OneMinusBeta1, float Scale) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, ScaleV = 2, Lr = 3, NegLrWd = 4;

    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1); c[ScaleV] = TVec.Create(Scale);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Lr] = lr; c[NegLrWd] = -(lr * weightDecay);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec h, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var one = TVec.Create(1);
        m = TVec.Fma(c[B1], m, c[C1] * g);
        var ratio = TVec.Min(TVec.Max(m / TVec.Fma(c[ScaleV], h, TVec.Create(1e-15f)), -one), one);
        theta = TVec.Fma(c[NegLrWd], theta, theta) - c[Lr] * ratio;
    }
}

/// <summary>SophiaG's Hessian-diagonal update h ← β2 h + (1−β2) ĝ² (θ unchanged). State s0 = h.</summary>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
public readonly record struct SophiaHessianRule(float Beta2, float OneMinusBeta2) : IUpdateRule
{
    private const int B2 = 0, C2 = 1;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {

    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec h, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec> =>
        h = TVec.Fma(c[B2], h, c[C2] * (g * g));
}
