using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// FOCUS (Liu, Liu &amp; Gore 2025, "First Order Concentrated Updating Scheme", Algorithm 1): the sign
/// of momentum plus an attraction γ·sign(θ − θ̂) toward the bias-corrected moving average θ̂ of the
/// parameters, which concentrates the iterate in narrowing valleys.
/// <para>m ← β1 m + (1−β1) g; θ̄ ← β2 θ̄ + (1−β2) θ; θ̂ = θ̄/(1−β2^t)</para>
/// <para>decay "before" (paper): θ ← θ − η wd θ̂, then θ ← θ − η(sign(m) + γ sign(θ − θ̂)).</para>
/// <para>decay "after" (authors' released code): the sign step with the pre-step θ, then θ ← θ − η wd θ̂.</para>
/// decay_target "theta" decays toward the pre-step θ instead of θ̂, as the toy experiments (docs/equations.md#toy-optimizers).
/// sign(θ − θ̂) is evaluated as sign(θ(1−β2^t) − θ̄): no division, and exactly 0 at t = 1 (docs/equations.md#focus).
/// </summary>
public sealed class Focus : RuleOptimizer<FocusRule>
{
    /// <summary>The hyperparameters of <c>focus</c> with their defaults and valid ranges: lr 6e-4, beta1 0.9, beta2 0.999, gamma 0.1, weight_decay 0, decay before (the paper; after = the released code), decay_target theta_hat.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(6e-4),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Real("gamma", 0.1, 0, double.PositiveInfinity, description: "attraction strength toward θ̂"),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Choice("decay", "before", ["before", "after"], "when weight decay is applied relative to the sign step"),
        Hyperparameter.Choice("decay_target", "theta_hat", ["theta_hat", "theta"], "what weight decay pulls toward zero"),
    ];

    /// <summary>FOCUS over the groups; allocates the momentum m and the parameter average θ̄ (8 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Focus(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("focus", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray(), Parameters.Select(p => NewState(p, "param_avg")).ToArray());
    }

    /// <inheritdoc/>
    protected override FocusRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2");
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)g.Get("gamma"), (float)(1 - Math.Pow(b2, t)),
            g.Get("decay") == 1 ? FocusDecay.After : FocusDecay.Before,
            g.Get("decay_target") == 1 ? FocusDecayTarget.Theta : FocusDecayTarget.ThetaHat);
    }
}

/// <summary>When FOCUS applies weight decay relative to its sign step.</summary>
public enum FocusDecay
{
    /// <summary>Decay first, then the sign step from the decayed θ (the paper's Algorithm 1).</summary>
    Before,
    /// <summary>The sign step from the pre-step θ, then the decay (the authors' released code).</summary>
    After,
}

/// <summary>What FOCUS's weight decay pulls toward zero.</summary>
public enum FocusDecayTarget
{
    /// <summary>The bias-corrected parameter average θ̂ (the paper).</summary>
    ThetaHat,
    /// <summary>The pre-step θ (the toy experiments).</summary>
    Theta,
}

/// <summary>
/// FOCUS's step (Algorithm 1): m ← β1 m + (1−β1) g; θ̄ ← β2 θ̄ + (1−β2) θ; the decay η wd·(θ̂ or θ), before
/// or after θ ← θ − (η sign(m) + ηγ sign(θ(1−β2^t) − θ̄)). States s0 = m, s1 = θ̄.
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2 of the parameter average.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="Gamma">γ, the attraction toward θ̂.</param>
/// <param name="BiasCorrection">1 − β2^t.</param>
/// <param name="Decay">Decay before or after the sign step.</param>
/// <param name="Target">Decay toward θ̂ or θ.</param>
public readonly record struct FocusRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float Gamma, float BiasCorrection,
    FocusDecay Decay, FocusDecayTarget Target) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, B2 = 2, C2 = 3, NegLr = 4, NegGammaLr = 5, Bc = 6, NegDecay = 7, NegGamma = 8;

    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        c[B2] = TVec.Create(Beta2); c[C2] = TVec.Create(OneMinusBeta2);
        c[Bc] = TVec.Create(BiasCorrection); c[NegGamma] = TVec.Create(-Gamma);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[NegLr] = -lr; c[NegGammaLr] = lr * c[NegGamma]; // = −(η·γ) exactly: negation does not round
        // Decay toward θ̂ = θ̄/(1−β2^t) is folded into one coefficient on θ̄; toward θ it multiplies θ.
        c[NegDecay] = -(Target == FocusDecayTarget.Theta ? lr * weightDecay : lr * weightDecay / TVec.Create(BiasCorrection));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec average, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var th = theta;
        m = TVec.Fma(c[B1], m, c[C1] * g);
        average = TVec.Fma(c[B2], average, c[C2] * th);
        var target = Target == FocusDecayTarget.Theta ? th : average;
        // The decay order as a branch (predicted, off the vector ports) rather than a second multiply-add by zero: the
        // vector ports are what the phase sweep engine is bound by.
        if (Decay == FocusDecay.Before) th = TVec.Fma(c[NegDecay], target, th);
        // sign(θ − θ̂) = sign(θ(1−β2^t) − θ̄): no division, and exactly 0 at t = 1, where θ(1−β2) and θ̄ = (1−β2)θ
        // are the same rounded product (docs/equations.md#focus); a fused θ·bc − θ̄ would leave the rounding error.
        // η·sign and ηγ·sign are exact products, so each fused step rounds once.
        th = TVec.Fma(c[NegGammaLr], TVec.Sign(th * c[Bc] - average), TVec.Fma(c[NegLr], TVec.Sign(m), th));
        if (Decay == FocusDecay.After) th = TVec.Fma(c[NegDecay], target, th);
        theta = th;
    }
}
