using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// The per-coordinate update of one optimizer, written once for every vector width and every user:
/// FocusLab.Optim's kernels (<see cref="RuleDriver"/>, one group's coordinates) and the phase sweep
/// engine (one toy run per lane). A rule is a small struct holding this step's scalars (bias
/// corrections, betas), built once per group and step from typed hyperparameters by
/// <see cref="RuleOptimizer{TRule}.RuleAt"/>. The learning rate and weight decay are not part of it:
/// they arrive as vectors in <see cref="BroadcastRun{TVec}"/>, so the sweep engine can give every lane
/// its own, while <see cref="BroadcastStep{TVec}"/> (the step's scalars) runs once for all of them. Every rule uses fused multiply-adds in the same places for every user and width, so a
/// coordinate's result does not depend on the vector width, the chunking or the lane it ran in.
/// </summary>
public interface IUpdateRule
{
    /// <summary>Per-coordinate state buffers the rule reads and writes (0–4: s0, s1, …).</summary>
    static abstract int StateCount { get; }

    /// <summary>
    /// The widest vector, in bits, the driver may run this rule with (default 512). A rule bound by arithmetic
    /// rather than memory can cap it where wider vectors measured slower (s3's cube root on 512-bit vectors,
    /// which some processors split into two 256-bit halves); the result bits are the same at every width.
    /// </summary>
    static virtual int MaxVectorBits => 512;

    /// <summary>Fills the coefficients that depend only on this step's scalars (betas, bias corrections).</summary>
    void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>;

    /// <summary>Fills the coefficients that depend on the learning rate <paramref name="lr"/> and weight decay <paramref name="weightDecay"/> (per lane).</summary>
    void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>;

    /// <summary>One step of Count coordinates: reads gradient <paramref name="g"/>, updates θ and the states in place.</summary>
    void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>;

    /// <summary>
    /// Whether the rule feeds its first moment the gradient clipped to [−τ, τ], τ being one of its coefficients (Pan &amp; Li's
    /// top-k clipping of an adaptive optimizer, <see cref="IFirstMomentClipping"/>: adam, blockwise adam, adafactor's vector
    /// rule); default false. Such a rule implements <see cref="BroadcastFirstMomentThreshold{TVec}"/> and <see cref="FirstMomentThresholdGradient{TVec}"/>.
    /// </summary>
    static virtual bool ClipsFirstMoment => false;

    /// <summary>
    /// Stores the first-moment clipping thresholds <paramref name="tau"/> (per lane; +∞: nothing clipped) where the rule reads
    /// them. <see cref="BroadcastStep{TVec}"/> stores the rule's own τ (FocusLab.Optim's: one per group) through it; the phase
    /// sweep engine, one run per lane, then stores every run's τ over it. Only rules with <see cref="ClipsFirstMoment"/> have it.
    /// </summary>
    static virtual void BroadcastFirstMomentThreshold<TVec>(TVec tau, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> =>
        throw new NotSupportedException("this update rule does not clip its first moment (IUpdateRule.ClipsFirstMoment is false).");

    /// <summary>
    /// The gradient whose top-k magnitude is τ: the one the moments see before clipping, reading <see cref="BroadcastRun{TVec}"/>'s
    /// coefficients (adam's g + wd θ with coupled L2, product and sum rounded separately as
    /// <see cref="IFirstMomentClipping.EffectiveGradient"/> writes it; else g). Only rules with <see cref="ClipsFirstMoment"/> have it.
    /// </summary>
    TVec FirstMomentThresholdGradient<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g) where TVec : struct, IFloatVector<TVec> =>
        throw new NotSupportedException("this update rule does not clip its first moment (IUpdateRule.ClipsFirstMoment is false).");
}

/// <summary>A rule's coefficients as vectors (at most <see cref="Capacity"/>), indexed by the rule's named constants.</summary>
/// <typeparam name="TVec">The vector type.</typeparam>
[InlineArray(Capacity)]
public struct RuleVectors<TVec> where TVec : struct
{
    /// <summary>Coefficients a rule may hold.</summary>
    public const int Capacity = 14;
    private TVec _first;
}
