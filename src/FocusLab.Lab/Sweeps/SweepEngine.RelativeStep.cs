using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FocusLab.Optim;

namespace FocusLab.Lab.Sweeps;

public static unsafe partial class SweepEngine
{
    /// <summary>
    /// A group-reducing rule's two passes (as <see cref="TwoPass{TRule}"/>) with the learning rate of a relative step
    /// (<see cref="IRelativeStepRule"/>, Adafactor's α_t = max(ε2, RMS(θ_{t−1}))·ρ_t): each lane's run gets the rule's own step size
    /// from its θ before the step, and the lr axis is not read (every lr column of the optimizer is the same run).
    /// </summary>
    private struct RelativeStepPass<TRule> : IRulePass<TRule> where TRule : struct, IRelativeStepRule
    {
        public static bool Reduces => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static FloatVector256 Accumulate(in TRule rule, in RuleVectors<FloatVector256> c, FloatVector256 theta, FloatVector256 g,
            ref FloatVector256 s0, ref FloatVector256 s1, ref FloatVector256 s2, ref FloatVector256 s3) => TwoPass<TRule>.Accumulate(rule, c, theta, g, ref s0, ref s1, ref s2, ref s3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Reduce(in TRule rule, ref RuleVectors<FloatVector256> c, FloatVector256 total, float count, ref FloatVector256 groupState) =>
            TwoPass<TRule>.Reduce(rule, ref c, total, count, ref groupState);

        /// <summary>
        /// Per lane: Σθ² over the run's d coordinates in double, in coordinate order (each θ² is exact in double), then the rule's
        /// <see cref="IRelativeStepRule.RelativeLearningRate"/> rounded to float. FocusLab.Optim sums a tensor of fewer than 8 coordinates
        /// in the same order, so α agrees bit for bit there; for d ≥ 8 its double sum runs in vector lanes and may differ in the last bit.
        /// </summary>
        public static FloatVector256 LearningRate(in TRule rule, float lr, Vector256<float>* theta, int d)
        {
            Vector256<double> lower = default, upper = default;
            for (int i = 0; i < d; i++)
            {
                var (lo, hi) = Vector256.Widen(theta[i]);
                lower += lo * lo; upper += hi * hi;
            }
            var step = rule; // a local function cannot capture an in parameter
            float Alpha(double sumOfSquares) => (float)step.RelativeLearningRate(sumOfSquares, d);
            return new FloatVector256(Vector256.Create(
                Alpha(lower[0]), Alpha(lower[1]), Alpha(lower[2]), Alpha(lower[3]),
                Alpha(upper[0]), Alpha(upper[1]), Alpha(upper[2]), Alpha(upper[3])));
        }
    }
}
