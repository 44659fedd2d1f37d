using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Adam with one second-moment scalar per block of coordinates (<see cref="BlockPartition"/>):
/// θ ← θ(1 − η wd); m ← β1 m + (1−β1) g; v_B ← β2 v_B + (1−β2)·mean_{i∈B}(g_i²);
/// θ ← θ − η (m/(1−β1^t)) / (√(v_B/(1−β2^t)) + eps). One block per group is adasgd (Wang &amp; Wiens 2020),
/// one block per coordinate is adam with decoupled decay, and <see cref="BlockPartition.AdamMini"/> is
/// Adam-mini (Zhang et al. 2024): its state is the first moment plus one double per block, about half of adamw's.
/// </summary>
public sealed class BlockwiseAdam : RuleOptimizer<BlockwiseAdamRule>, IFirstMomentClipping
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
    private readonly float[][] _coef;               // per group: η/(1−β1^t)/(√v̂ + eps) of each block, this step
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

    /// <summary>Sums g² over each block (in a fixed order, so the result does not depend on the thread count), updates each block's v_B and step coefficient, then runs the coordinate updates.</summary>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), lr = g.Lr, eps = g.Get("eps");
        var v = _v[g.Index];
        Array.Clear(_sums, 0, v.Length); Array.Clear(_counts, 0, v.Length);
        if (_partition.SpansGroup)
        {
            _sums[0] = ReduceGroup(g, mode: 1);
            _counts[0] = g.TotalLength;
        }
        else
        {
            for (int k = 0; k < g.Parameters.Count; k++) // index loop: no boxed enumerator per step
            {
                var p = g.Parameters[k];
                var grad = p.GradSpan;
                foreach (var (s, e, b) in _ranges[IndexOf(p)])
                {
                    _sums[b] += Reductions.SumOfSquares(grad[s..e]);
                    _counts[b] += e - s;
                }
            }
        }
        double stepSize = lr / (1 - Math.Pow(b1, t)), bc2 = 1 - Math.Pow(b2, t);
        var coef = _coef[g.Index];
        for (int b = 0; b < v.Length; b++)
        {
            double mean = _counts[b] == 0 ? 0 : _sums[b] / _counts[b];
            v[b] = b2 * v[b] + (1 - b2) * mean;
            coef[b] = (float)(stepSize / (Math.Sqrt(v[b] / bc2) + eps));
        }
        BeginGroup(g, t);
        _coefNow = coef;
        RunChunks(g, mode: 0);
    }

    /// <summary>Sum of g² over [start, end) of one parameter: the per-group block's partial sum (reduction mode 1).</summary>
    protected override double ReduceRange(int mode, int param, int start, int end) =>
        Reductions.SumOfSquares(Parameters[param].GradSpan[start..end]);

    /// <inheritdoc/>
    protected override BlockwiseAdamRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1");
        return new((float)b1, (float)(1 - b1), 0, _tau[g.Index]);
    }

    private BlockwiseAdamRule _template;

    /// <inheritdoc/>
    protected override void BeginGroup(ParameterGroup group, long t)
    {
        base.BeginGroup(group, t);
        _template = CreateRule(group, t);
    }

    /// <summary>Runs the rule over each block's part of [start, end) with that block's step coefficient.</summary>
    protected override void UpdateRange(int param, int start, int end)
    {
        foreach (var (rs, re, block) in _ranges[param])
        {
            int s = Math.Max(rs, start), e = Math.Min(re, end);
            if (s < e) Run(_template with { StepCoefficient = _coefNow[block] }, param, s, e);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Weight decay is decoupled here, so this is the raw gradient.</remarks>
    public void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination) => p.GradSpan.CopyTo(destination);

    /// <inheritdoc/>
    public void SetFirstMomentThreshold(ParameterGroup group, float tau) => _tau[group.Index] = tau;
}

/// <summary>
/// Blockwise Adam's per-coordinate step given its block's coefficient c_B = η/(1−β1^t)/(√v̂_B + eps):
/// θ ← θ − η wd θ; m ← β1 m + (1−β1) clip(g, τ); θ ← θ − c_B m. State s0 = m.
/// </summary>
/// <param name="Beta1">β1.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="StepCoefficient">c_B of the coordinate's block (includes η).</param>
/// <param name="Tau">First-moment clipping threshold τ (+∞: off).</param>
public readonly record struct BlockwiseAdamRule(float Beta1, float OneMinusBeta1, float StepCoefficient, float Tau) : IUpdateRule
{
    private const int B1 = 0, C1 = 1, Coefficient = 2, TauV = 3, NegLrWd = 4;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1); c[Coefficient] = TVec.Create(StepCoefficient);
        c[TauV] = TVec.Create(Tau);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[NegLrWd] = -(lr * weightDecay);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var tau = c[TauV];
        m = TVec.Fma(c[B1], m, c[C1] * TVec.Min(TVec.Max(g, -tau), tau));
        theta = TVec.Fma(c[NegLrWd], theta, theta) - c[Coefficient] * m;
    }
}
