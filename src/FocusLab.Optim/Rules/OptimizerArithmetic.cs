namespace FocusLab.Optim;

/// <summary>
/// The version of the optimizers' floating-point arithmetic: which operations each update rule performs and
/// in which order (fused multiply-adds included). Two builds with the same version produce the same bits for the
/// same run; a study store records the version its results were computed with, so a build whose arithmetic
/// differs can say why a recomputed result differs in its last bits (amplified over a run) instead of
/// silently mixing the two. Bump it whenever a rule's rounding changes.
/// </summary>
public static class OptimizerArithmetic
{
    /// <summary>
    /// 4: muon steps a rank-one matrix (1×n, n×1) by <c>MuonRankOneRule</c>, a scalar Newton–Schulz iteration on ‖B̃‖ instead of
    /// matrix products (fewer roundings; the same map in exact arithmetic).
    /// (3: normalized_sgd, blockwise adam (adasgd, blockwise_adam, adam_mini) and adafactor's vectors are
    /// <see cref="IGroupReducingRule"/>s: float vector sums per chunk, the group coefficient, v_B and adafactor's v and U in float
    /// arithmetic with fused multiply-adds where the rule says, up to commit 96168e8;
    /// 2: one <see cref="IUpdateRule"/> per optimizer, fused multiply-adds where the rule says, up to commit 6b853f4;
    /// 1: FocusLab up to commit e3d6cbf, separate SIMD bodies and scalar tails without fused multiply-adds.)
    /// </summary>
    public const int Version = 4;

    /// <summary>The last commit whose optimizers computed with <paramref name="version"/>, for a message telling the user which build reproduces a store; null for the current version.</summary>
    public static string? LastCommitOf(int version) => version switch
    {
        1 => "e3d6cbf",
        2 => "6b853f4",
        3 => "96168e8",
        Version => null,
        _ => "an unknown commit",
    };
}
