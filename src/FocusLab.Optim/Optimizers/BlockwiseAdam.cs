using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Adam with one second-moment scalar per block of coordinates (<see cref="BlockPartition"/>):
/// θ ← θ(1 − η wd); m ← β1 m + (1−β1) g; v_B ← β2 v_B + (1−β2)·mean_{i∈B}(g_i²);
/// θ ← θ − η (m/(1−β1^t)) / (√(v_B/(1−β2^t)) + eps). One block per group is adasgd (Wang &amp; Wiens 2020),
/// one block per coordinate is adam with decoupled decay, and <see cref="BlockPartition.AdamMini"/> is
/// Adam-mini (Zhang et al. 2024): its state is the first moment plus one double per block, about half of adamw's.
/// </summary>
public sealed class BlockwiseAdam : GroupReducingRuleOptimizer<BlockwiseAdamRule>, IFirstMomentClipping
{
    /// <summary>The hyperparameters of <c>blockwise_adam</c> with their defaults and valid ranges: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0 (decoupled); <c>adasgd</c> has the same.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
    ];

    /// <summary>Adam-mini's defaults (Zhang et al. 2024): AdamW's, with weight decay 0.1.</summary>
    public static readonly IReadOnlyList<Hyperparameter> AdamMiniDefaults =
        Defaults.Select(h => h.Name == "weight_decay" ? Hyperparameter.WeightDecay(0.1) : h).ToArray();

    private readonly BlockPartition _partition;
    private readonly double[][] _v;                 // per group: one value per block
    private readonly (int Start, int End, int Block)[][] _ranges; // per parameter, block index within the group
    private readonly float[][] _coef;               // per group: η/(1−β1^t)/(√v̂ + eps) of each block, this step (v_B is kept at float precision: the rule's arithmetic)
    private readonly float[] _tau;
    private float[] _coefNow = [];

    /// <summary>Blockwise Adam over the groups with one second moment per block of <paramref name="partition"/>; allocates the first moment (4 bytes per coordinate) and one double per block.</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    /// <param name="partition">The blocks that share a second moment: <see cref="BlockPartition.PerGroup"/> is adasgd, <see cref="BlockPartition.PerCoordinate"/> is adam with decoupled decay.</param>
    /// <param name="id">The id to report: "adasgd" or "blockwise_adam" by default (from the partition), or "adam_mini" (its defaults: weight decay 0.1).</param>
    public BlockwiseAdam(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings, BlockPartition partition, string? id = null)
        : base(id ?? (partition.SpansGroup ? "adasgd" : "blockwise_adam"), id == "adam_mini" ? AdamMiniDefaults : Defaults, groups, settings)
    {
        _partition = partition;
        UseStates(Parameters.Select(p => NewState(p, "exp_avg")).ToArray());
        _ranges = new (int, int, int)[Parameters.Count][];
        _v = new double[Groups.Count][];
        _coef = new float[Groups.Count][];
        foreach (var g in Groups)
        {
            int blocks = 0;
            foreach (var p in g.Parameters)
            {
                if (partition.SpansGroup) { _ranges[IndexOf(p)] = [(0, p.Length, 0)]; blocks = 1; continue; }
                var (ranges, count) = partition.Split(p);
                int offset = blocks;
                _ranges[IndexOf(p)] = ranges.Select(r => (r.Start, r.End, r.Block + offset)).ToArray();
                blocks += count;
            }
            _v[g.Index] = NewGroupState(g, "exp_avg_sq", blocks);
            _coef[g.Index] = new float[blocks];
        }
        _sums = new double[_v.Max(v => v.Length)];
        _counts = new long[_sums.Length];
        _tau = Enumerable.Repeat(float.PositiveInfinity, Groups.Count).ToArray();
    }

    private readonly double[] _sums;
    private readonly long[] _counts;

    /// <summary>How the coordinates are grouped under one second moment (per group for adasgd, per tensor for blockwise_adam, or any other).</summary>
    public BlockPartition Partition => _partition;

    /// <summary>The number of blocks over all groups (each reduces its own mean g²).</summary>
    public override int ReductionGroupCount => _v.Sum(v => v.Length);

    /// <summary>Sums g² over each block (pass 1 of <see cref="BlockwiseAdamRule"/>, in a fixed order, so the result does not depend on the thread count), updates each block's v_B and step coefficient, then runs the coordinate updates.</summary>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        BeginGroup(g, t);
        var v = _v[g.Index];
        Array.Clear(_sums, 0, v.Length); Array.Clear(_counts, 0, v.Length);
        if (_partition.SpansGroup)
        {
            _sums[0] = ReduceGroup(g, AccumulateMode);
            _counts[0] = g.TotalLength;
        }
        else
        {
            for (int k = 0; k < g.Parameters.Count; k++) // index loop: no boxed enumerator per step
            {
                int p = IndexOf(g.Parameters[k]);
                foreach (var (s, e, b) in _ranges[p])
                {
                    _sums[b] += AccumulateRange(p, s, e);
                    _counts[b] += e - s;
                }
            }
        }
        var coef = _coef[g.Index];
        for (int b = 0; b < v.Length; b++) coef[b] = ReduceTotal(_sums[b], _counts[b], ref v[b]);
        _coefNow = coef;
        RunChunks(g, mode: 0);
    }

    /// <inheritdoc/>
    protected override BlockwiseAdamRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2");
        return new((float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)(1 / (1 - Math.Pow(b1, t))), (float)(1 - Math.Pow(b2, t)),
            (float)g.Get("eps"), _tau[g.Index]);
    }

    /// <summary>Runs the rule over each block's part of [start, end) with that block's step coefficient.</summary>
    protected override void UpdateRange(int param, int start, int end)
    {
        foreach (var (rs, re, block) in _ranges[param])
        {
            int s = Math.Max(rs, start), e = Math.Min(re, end);
            if (s < e) RunWithGroupCoefficient(CurrentRule, _coefNow[block], param, s, e);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Weight decay is decoupled here, so this is the raw gradient.</remarks>
    public void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination) => p.GradSpan.CopyTo(destination);

    /// <inheritdoc/>
    public void SetFirstMomentThreshold(ParameterGroup group, float tau) => _tau[group.Index] = tau;
}

/// <summary>
/// Blockwise Adam's step over one block (its group): pass 1 contributes g²; the block's coefficient is
/// c_B = η/(1−β1^t)/(√(v_B/(1−β2^t)) + eps) after v_B ← β2 v_B + (1−β2)·mean_B(g²) (the group state); pass 2 is
/// θ ← θ − η wd θ; m ← β1 m + (1−β1) clip(g, τ); θ ← θ − c_B m. State s0 = m.
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta2">1 − β2.</param>
/// <param name="InverseBiasCorrection1">1/(1 − β1^t).</param>
/// <param name="BiasCorrection2">1 − β2^t.</param>
/// <param name="Eps">eps, added to √v̂_B.</param>
/// <param name="Tau">First-moment clipping threshold τ (+∞: off).</param>
public readonly record struct BlockwiseAdamRule(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float InverseBiasCorrection1,
    float BiasCorrection2, float Eps, float Tau) : IGroupReducingRule
{
    private const int B1 = 0, C1 = 1, TauV = 2, NegLrWd = 3, Lr = 4, Coefficient = 5;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    public static int AccumulateStateCount => 0; // pass 1 reads g only

    /// <inheritdoc/>
    public static bool AccumulateReadsTheta => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        BroadcastFirstMomentThreshold(TVec.Create(Tau), ref c);
    }

    /// <inheritdoc/>
    public static bool ClipsFirstMoment => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BroadcastFirstMomentThreshold<TVec>(TVec tau, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => c[TauV] = tau;

    /// <inheritdoc/>
    /// <remarks>Weight decay is decoupled: the raw gradient.</remarks>
    public TVec FirstMomentThresholdGradient<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g) where TVec : struct, IFloatVector<TVec> => g;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[NegLrWd] = -(lr * weightDecay); c[Lr] = lr;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Accumulate<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g, ref TVec m, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec> => g * g;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Reduce<TVec>(in RuleVectors<TVec> c, TVec total, float count, ref TVec v) where TVec : struct, IFloatVector<TVec>
    {
        var mean = total / TVec.Create(MathF.Max(count, 1)); // an empty block has mean 0
        v = TVec.Fma(TVec.Create(Beta2), v, TVec.Create(OneMinusBeta2) * mean);
        return c[Lr] * TVec.Create(InverseBiasCorrection1) / (TVec.Sqrt(v / TVec.Create(BiasCorrection2)) + TVec.Create(Eps));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastGroup<TVec>(TVec coefficient, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => c[Coefficient] = coefficient;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var tau = c[TauV];
        m = TVec.Fma(c[B1], m, c[C1] * TVec.Min(TVec.Max(g, -tau), tau));
        theta = TVec.Fma(c[NegLrWd], theta, theta) - c[Coefficient] * m;
    }
}
