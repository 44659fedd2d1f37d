namespace FocusLab.Optim;

/// <summary>
/// An update rule whose step needs one statistic of a whole group of coordinates first: normalized SGD's
/// momentum norm per tensor, blockwise Adam's mean g² per block. The step is, for every user:
/// <list type="number">
/// <item><see cref="IUpdateRule.BroadcastStep{TVec}"/> and <see cref="IUpdateRule.BroadcastRun{TVec}"/> as for any rule;</item>
/// <item>pass 1, <see cref="Accumulate{TVec}"/> on every coordinate of the group (it may update state, e.g. the momentum
/// whose norm is wanted), its results summed into the group's total;</item>
/// <item><see cref="Reduce{TVec}"/> turns the total into the group's coefficient (updating per-group state such as v_B)
/// and <see cref="BroadcastGroup{TVec}"/> stores it among the coefficients;</item>
/// <item>pass 2, <see cref="IUpdateRule.Apply{TVec}"/> on every coordinate.</item>
/// </list>
/// FocusLab.Optim's kernels (<see cref="RuleDriver"/>) sum a chunk in float vectors and the chunks in double, in a fixed
/// order, and call <see cref="Reduce{TVec}"/> with the total broadcast; the phase sweep engine, where a toy run's d
/// coordinates are one tensor and one group, sums them per lane (a group statistic per run) and reduces all lanes at
/// once. Both sum a 2-coordinate group as q0 + q1, so the 2-D toy runs compute what the library computes.
/// </summary>
public interface IGroupReducingRule : IUpdateRule
{
    /// <summary>How many of the states (s0, s1, … in order) pass 1 reads and writes: 0 when it only reads θ and g (blockwise Adam's g²), so the library's pass 1 streams no state.</summary>
    static abstract int AccumulateStateCount { get; }

    /// <summary>Whether pass 1 reads θ (normalized SGD's coupled L2 does; blockwise Adam's g² does not, so the library's pass 1 streams g alone).</summary>
    static abstract bool AccumulateReadsTheta { get; }

    /// <summary>Pass 1 on one vector of coordinates: returns their contributions to the group's total (0 for a zero-padded coordinate) and may update the states.</summary>
    TVec Accumulate<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>;

    /// <summary>
    /// The group's coefficient from its <paramref name="total"/> over <paramref name="count"/> coordinates (per lane), reading the
    /// coefficients of <see cref="IUpdateRule.BroadcastRun{TVec}"/> (the learning rate) and updating the group's scalar state
    /// <paramref name="groupState"/> (blockwise Adam's v_B; rules without one leave it alone).
    /// </summary>
    TVec Reduce<TVec>(in RuleVectors<TVec> c, TVec total, float count, ref TVec groupState) where TVec : struct, IFloatVector<TVec>;

    /// <summary>Stores the group's <paramref name="coefficient"/> (from <see cref="Reduce{TVec}"/>) where <see cref="IUpdateRule.Apply{TVec}"/> reads it.</summary>
    void BroadcastGroup<TVec>(TVec coefficient, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>;
}
