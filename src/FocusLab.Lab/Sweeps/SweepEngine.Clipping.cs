using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FocusLab.Optim;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Pan &amp; Li's top-k clipping of an adaptive optimizer's first moment (<see cref="IFirstMomentClipping"/>: adam, adamw, adam_clip,
/// adasgd, blockwise_adam, adam_mini, adafactor) in the sweep: as in FocusLab.Optim, τ is the ⌊k·d⌋-th largest |g| of the gradient
/// the moments see (g + wd θ under adam's coupled L2, with the run's own wd), selected per run, i.e. per lane; the rule then clamps
/// its first moment's gradient to [−τ, τ] with the lane's τ stored in its coefficients (<see cref="IUpdateRule.BroadcastFirstMomentThreshold{TVec}"/>),
/// so the clipping maths stays the rule's own.
/// </summary>
public static unsafe partial class SweepEngine
{
    /// <summary>First-moment clipping of one optimizer: k (0: off), the rank of τ among a run's d coordinates (<see cref="CoordinateClipping.Rank"/>), scratch for the gradient τ is selected from.</summary>
    private readonly struct FirstMomentClipping(double fraction, int d, FloatVector256* input)
    {
        public readonly double Fraction = fraction;
        public readonly int Rank = fraction > 0 ? CoordinateClipping.Rank(d, fraction) : 0;
        /// <summary>d vectors: the gradient the moments see, while τ is selected from it.</summary>
        public readonly FloatVector256* Input = input;
        public bool On => Fraction > 0;
    }

    /// <summary>τ of each 2-D run: the larger (rank 0, k &lt; 1/2: nothing clipped) or the smaller |g| of the gradient the moments see.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FloatVector256 FirstMomentThreshold2D<TRule>(in TRule rule, in RuleVectors<FloatVector256> c, Vector256<float> x, Vector256<float> y,
        Vector256<float> gx, Vector256<float> gy, in FirstMomentClipping clip) where TRule : struct, IUpdateRule
    {
        var ax = Vector256.Abs(rule.FirstMomentThresholdGradient(c, new FloatVector256(x), new FloatVector256(gx)).V);
        var ay = Vector256.Abs(rule.FirstMomentThresholdGradient(c, new FloatVector256(y), new FloatVector256(gy)).V);
        return new(clip.Rank > 0 ? Vector256.Min(ax, ay) : Vector256.Max(ax, ay));
    }

    /// <summary>τ of each n-D run: the top-k threshold (<see cref="LaneTopK"/>) of the gradient the moments see, over the run's d coordinates.</summary>
    private static FloatVector256 FirstMomentThresholdND<TRule>(in TRule rule, in RuleVectors<FloatVector256> c, Vector256<float>* theta, FloatVector256* grad,
        in StepEnv e) where TRule : struct, IUpdateRule
    {
        var input = e.FirstMomentClip.Input;
        for (int i = 0; i < e.D; i++) input[i] = rule.FirstMomentThresholdGradient(c, new FloatVector256(theta[i]), grad[i]);
        return new(LaneTopK.Threshold(input, e.D, e.FirstMomentClip.Rank));
    }
}
