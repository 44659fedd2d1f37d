using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Normalized SGD (as used by Pan &amp; Li 2023): momentum m as <see cref="Sgd"/> (coupled L2, buf = g on the
/// first step), then each tensor steps by η·m·√numel/‖m‖₂, so every tensor's update has RMS η whatever
/// the gradient scale. A tensor whose momentum norm is zero or not finite does not move. The step is one
/// <see cref="NormalizedSgdRule"/>, the tensor being its group.
/// </summary>
public sealed class NormalizedSgd : GroupReducingRuleOptimizer<NormalizedSgdRule>
{
    /// <summary>The hyperparameters of <c>normalized_sgd</c> with their defaults and valid ranges: lr 1e-3, momentum 0.9, dampening 0, weight_decay 0 (coupled L2).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Real("momentum", 0.9, 0, 1, true, false, "momentum μ"),
        Hyperparameter.Real("dampening", 0, 0, 1, true, true, "dampening of the gradient in the momentum buffer"),
        Hyperparameter.WeightDecay(0),
    ];

    private readonly double[] _totals; // per parameter: ‖m‖² of this step
    private readonly float[] _scales;  // per parameter: η √n / ‖m‖₂ of this step (0: the tensor does not move)

    /// <summary>Normalized SGD over the groups; allocates the momentum buffer (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public NormalizedSgd(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("normalized_sgd", Defaults, groups, settings)
    {
        UseStates(Parameters.Select(p => NewState(p, "momentum_buffer")).ToArray());
        _totals = new double[Parameters.Count];
        _scales = new float[Parameters.Count];
    }

    /// <summary>One per tensor: each tensor is normalized by its own momentum norm.</summary>
    public override int ReductionGroupCount => Parameters.Count;

    /// <inheritdoc/>
    protected override NormalizedSgdRule CreateRule(ParameterGroup g, long t)
    {
        double mu = g.Get("momentum");
        return new((float)mu, (float)(1 - g.Get("dampening")), t == 1 || mu == 0);
    }

    /// <summary>Updates every tensor's momentum while summing its ‖m‖² (chunk partials in a fixed order), then steps each tensor by η·m·√n/‖m‖₂.</summary>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        BeginGroup(g, t);
        ReduceGroupPerParameter(g, AccumulateMode, _totals);
        for (int k = 0; k < g.Parameters.Count; k++) // index loop: no boxed enumerator per step
        {
            int p = IndexOf(g.Parameters[k]);
            double noState = 0;
            _scales[p] = ReduceTotal(_totals[p], Parameters[p].Length, ref noState);
        }
        RunChunks(g, mode: 0);
    }

    /// <summary>Steps [start, end) by the tensor's scale; a tensor whose norm was zero or not finite keeps its θ.</summary>
    protected override void UpdateRange(int param, int start, int end)
    {
        if (_scales[param] != 0) RunWithGroupCoefficient(CurrentRule, _scales[param], param, start, end);
    }
}

/// <summary>
/// Normalized SGD's step over one tensor (its group): pass 1 updates the momentum m ← μ m + (1 − dampening)(g + wd θ)
/// (m = g + wd θ on the first step or with μ = 0) and contributes m²; the group's coefficient is s = η √n / ‖m‖₂
/// (0 when ‖m‖₂ is zero or not finite); pass 2 is θ ← θ − s m, so the update's RMS over the tensor is η. State s0 = m.
/// </summary>
/// <param name="Momentum">μ.</param>
/// <param name="OneMinusDampening">1 − dampening.</param>
/// <param name="First">Whether the buffer starts from the gradient this step (t = 1, or μ = 0).</param>
public readonly record struct NormalizedSgdRule(float Momentum, float OneMinusDampening, bool First) : IGroupReducingRule
{
    private const int Mu = 0, Damp = 1, Wd = 2, Lr = 3, NegScale = 4;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    public static int AccumulateStateCount => 1; // the momentum is updated in pass 1

    /// <inheritdoc/>
    public static bool AccumulateReadsTheta => true; // g + wd θ

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Mu] = TVec.Create(Momentum); c[Damp] = TVec.Create(OneMinusDampening);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Wd] = weightDecay; c[Lr] = lr;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Accumulate<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g, ref TVec m, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var d = TVec.Fma(c[Wd], theta, g); // coupled L2
        m = SgdRule.MomentumBuffer(m, d, c[Mu], c[Damp], First);
        return m * m;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Reduce<TVec>(in RuleVectors<TVec> c, TVec total, float count, ref TVec groupState) where TVec : struct, IFloatVector<TVec> =>
        TVec.FiniteOrZero(c[Lr] * TVec.Create(MathF.Sqrt(count)) / TVec.Sqrt(total)); // η √n / ‖m‖₂

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastGroup<TVec>(TVec coefficient, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => c[NegScale] = -coefficient;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec m, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec> =>
        theta = TVec.Fma(c[NegScale], m, theta);
}
