using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Adafactor (Shazeer &amp; Stern 2018). For a matrix G (m×n; higher ranks fold trailing axes into
/// columns) the second moment is factored: R ← β̂ R + (1−β̂) rowsum(G² + ε1), C ← β̂ C + (1−β̂) colsum(G² + ε1),
/// V = R Cᵀ / ΣR, so state is O(m + n); vectors keep V unfactored. β̂_t = 1 − t^(−c).
/// U = G/√V, Û = U / max(1, RMS(U)/d), θ ← θ − α Û with α = max(ε2, RMS(θ_{t−1}))·min(1e-2, 1/√t)
/// (relative step) or α = lr. Optional momentum beta1 on Û and weight decay θ ← θ(1 − α wd).
/// With coordinate clipping the clipped gradient is used in U, the raw one in V (Pan &amp; Li).
/// A vector's step is one <see cref="AdafactorVectorRule"/> (the tensor is its group: RMS(U) is its statistic), run with α as
/// its learning rate; a matrix's factored second moment is computed here. α is the rule's one definition for both
/// (<see cref="AdafactorVectorRule.RelativeLearningRate"/> from Σθ², or lr), so the phase sweep engine's relative step is this one.
/// </summary>
public sealed class Adafactor : GroupReducingRuleOptimizer<AdafactorVectorRule>, IFirstMomentClipping
{
    /// <summary>The hyperparameters of <c>adafactor</c> with their defaults and valid ranges: lr 1e-2 (used only without relative_step), eps1 1e-30, eps2 1e-3, clip_threshold 1, decay_rate 0.8, relative_step true, beta1 0 (no momentum), weight_decay 0.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-2),
        Hyperparameter.Real("eps1", 1e-30, 0, double.PositiveInfinity, description: "ε1 added to G² in the second moment"),
        Hyperparameter.Real("eps2", 1e-3, 0, double.PositiveInfinity, description: "ε2, the smallest parameter scale of the relative step"),
        Hyperparameter.Real("clip_threshold", 1, 0, double.PositiveInfinity, false, true, "update clipping threshold d"),
        Hyperparameter.Real("decay_rate", 0.8, 0, double.PositiveInfinity, false, true, "c in β̂_t = 1 − t^(−c)"),
        Hyperparameter.Flag("relative_step", true, "α from the parameter scale and 1/√t instead of lr"),
        Hyperparameter.Real("beta1", 0, 0, 1, true, false, "momentum on the clipped update (0: none)"),
        Hyperparameter.WeightDecay(0),
    ];

    private readonly float[]?[] _row, _col, _vec, _mom;
    private readonly float[] _tau;
    private readonly float[] _scratch; // the update of one tensor, reused every step

    /// <summary>α used for each parameter at the last step (for diagnostics and tests).</summary>
    public double[] LastAlpha { get; }

    /// <summary>Adafactor over the groups; allocates row and column second-moment factors for matrices (the full second moment for vectors), and the momentum on Û when beta1 &gt; 0 in the spec.</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Adafactor(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("adafactor", Defaults, groups, settings)
    {
        int n = Parameters.Count;
        _row = new float[n][]; _col = new float[n][]; _vec = new float[n][]; _mom = new float[n][];
        bool momentum = Groups.Any(g => g.Get("beta1") > 0);
        for (int k = 0; k < n; k++)
        {
            var p = Parameters[k];
            if (p.Shape.Length >= 2)
            {
                var (rows, cols) = p.MatrixView;
                _row[k] = NewState(p, "exp_avg_sq_row", rows);
                _col[k] = NewState(p, "exp_avg_sq_col", cols);
            }
            else _vec[k] = NewState(p, "exp_avg_sq");
            if (momentum) _mom[k] = NewState(p, "exp_avg");
        }
        UseStates(_vec, _mom); // the vector rule's v and momentum (null for matrices, and for the momentum when beta1 = 0)
        int max = Parameters.Max(p => p.Length);
        _scratch = new float[max];
        _tau = Enumerable.Repeat(float.PositiveInfinity, Groups.Count).ToArray();
        LastAlpha = new double[n];
    }


    /// <summary>The whole Adafactor step of each tensor in the group: factored (or full) second moment, U = G/√V, RMS clipping, the relative or fixed step size α, optional momentum and weight decay.</summary>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        double c = g.Get("decay_rate"), eps1 = g.Get("eps1"), d = g.Get("clip_threshold");
        double b1 = g.Get("beta1"), wd = g.Get("weight_decay");
        if (b1 > 0 && _mom[IndexOf(g.Parameters[0])] is null)
            throw new InvalidOperationException("adafactor: beta1 was switched on after construction; set it in the spec so the momentum buffer exists.");
        BeginGroup(g, t);
        double bhat = 1 - Math.Pow(t, -c);
        float tau = _tau[g.Index];
        for (int gp = 0; gp < g.Parameters.Count; gp++) // index loop: no boxed enumerator per step
        {
            var p = g.Parameters[gp];
            int k = IndexOf(p);
            var theta = p.DataSpan; var grad = p.GradSpan;
            var u = _scratch.AsSpan(0, p.Length);
            if (_vec[k] is { } vec)
            {
                // A vector: the rule's two passes, with α (from θ_{t−1}, before the step) as the rule's learning rate.
                double a = Alpha(g, theta);
                LastAlpha[k] = a;
                var rule = CurrentRule;
                float fa = (float)a, fwd = (float)wd;
                Span<float> momentum = _mom[k] is { } m && b1 > 0 ? m : default;
                double total = RuleDriver.Accumulate(rule, fa, fwd, theta, grad, vec, momentum, default, default, 0, p.Length);
                double noState = 0;
                float clipScale = RuleDriver.Reduce(rule, fa, fwd, total, p.Length, ref noState);
                RuleDriver.RunWithGroupCoefficient(rule, fa, fwd, clipScale, theta, grad, vec, momentum, default, default, 0, p.Length);
                continue;
            }
            if (_row[k] is { } row)
            {
                var col = _col[k]!;
                var (rows, cols) = p.MatrixView;
                // Row and column sums of G² + ε1, accumulated in double.
                double sumR = 0;
                for (int r = 0; r < rows; r++)
                {
                    double s = 0;
                    for (int j = 0; j < cols; j++) { double x = grad[r * cols + j]; s += x * x + eps1; }
                    row[r] = (float)(bhat * row[r] + (1 - bhat) * s);
                    sumR += row[r];
                }
                for (int j = 0; j < cols; j++)
                {
                    double s = 0;
                    for (int r = 0; r < rows; r++) { double x = grad[r * cols + j]; s += x * x + eps1; }
                    col[j] = (float)(bhat * col[j] + (1 - bhat) * s);
                }
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < cols; j++)
                    {
                        int i = r * cols + j;
                        double v = (double)row[r] * col[j] / sumR;
                        u[i] = (float)(Clamp(grad[i], tau) / Math.Sqrt(v));
                    }
            }
            double rmsU = Math.Sqrt(Reductions.SumOfSquares(u) / Math.Max(1, p.Length));
            double scale = 1 / Math.Max(1, rmsU / d);
            double alpha = Alpha(g, theta);
            LastAlpha[k] = alpha;
            float decay = (float)(1 - alpha * wd);
            if (_mom[k] is { } mom && b1 > 0)
            {
                float fb1 = (float)b1, fomb1 = (float)(1 - b1), fs = (float)scale;
                for (int i = 0; i < p.Length; i++) mom[i] = fb1 * mom[i] + fomb1 * (fs * u[i]);
                u = mom; scale = 1;
            }
            float step = (float)(alpha * scale);
            for (int i = 0; i < p.Length; i++) theta[i] = theta[i] * decay - step * u[i];
        }
    }

    private static double Clamp(float g, float tau) => Math.Min(Math.Max(g, -tau), tau);

    /// <summary>α of this step for a tensor of the group: the current rule's relative step from Σθ² of θ_{t−1} (summed in double), else the group's lr.</summary>
    private double Alpha(ParameterGroup g, ReadOnlySpan<float> theta) => CurrentRule.RelativeStep
        ? CurrentRule.RelativeLearningRate(Reductions.SumOfSquares(theta), theta.Length)
        : g.Lr;

    /// <summary>One per tensor: each tensor's update is clipped by its own RMS.</summary>
    public override int ReductionGroupCount => Parameters.Count;

    /// <summary>Whether every parameter is a vector, so the rule (with α from lr or from the relative step) is the whole step, as the sweep engine needs.</summary>
    public bool IsVectorRule => _row.All(r => r is null);

    /// <inheritdoc/>
    protected override AdafactorVectorRule CreateRule(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), bhat = 1 - Math.Pow(t, -g.Get("decay_rate"));
        return new((float)bhat, (float)(1 - bhat), (float)g.Get("eps1"), (float)g.Get("clip_threshold"), (float)b1, (float)(1 - b1), b1 > 0, _tau[g.Index],
            g.GetFlag("relative_step"), g.Get("eps2"), Math.Min(1e-2, 1 / Math.Sqrt(t)));
    }

    /// <inheritdoc/>
    /// <remarks>Visited as a relative-step optimizer: with relative_step on, α comes from each tensor's RMS(θ), not from lr.</remarks>
    public override TResult Accept<TResult>(IRuleOptimizerVisitor<TResult> visitor) => visitor.VisitRelativeStep(this);

    /// <summary>Not used: every tensor needs its whole RMS before it can step, so <see cref="StepGroup"/> does the work; throws <see cref="NotSupportedException"/>.</summary>
    protected override void UpdateRange(int param, int start, int end) => throw new NotSupportedException();

    /// <inheritdoc/>
    /// <remarks>Adafactor has no coupled L2 term, so this is the raw gradient.</remarks>
    public void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination) => p.GradSpan.CopyTo(destination);

    /// <inheritdoc/>
    public void SetFirstMomentThreshold(ParameterGroup group, float tau) => _tau[group.Index] = tau;
}

/// <summary>
/// Adafactor's step over one vector (its group; Shazeer &amp; Stern 2018, Algorithm 4 with update clipping, section 6): pass 1
/// updates v ← β̂_t v + (1 − β̂_t)(g² + ε1) and contributes U² with U = clip(g, τ)/√v; the group's coefficient is the clipping
/// factor s = 1/max(1, RMS(U)/d); pass 2 is θ ← θ(1 − α wd) − α s U, or with momentum m ← β1 m + (1 − β1) s U and
/// θ ← θ(1 − α wd) − α m. The learning rate the rule receives is α: lr, or with the relative step
/// α_t = max(ε2, RMS(θ_{t−1}))·ρ_t, ρ_t = min(1e-2, 1/√t) (<see cref="RelativeLearningRate"/>). States s0 = v, s1 = m.
/// </summary>
/// <param name="BetaHat">β̂_t = 1 − t^(−c).</param>
/// <param name="OneMinusBetaHat">1 − β̂_t.</param>
/// <param name="Eps1">ε1, added to g².</param>
/// <param name="ClipThreshold">d, the update clipping threshold.</param>
/// <param name="Beta1">β1 of the momentum on the clipped update.</param>
/// <param name="OneMinusBeta1">1 − β1.</param>
/// <param name="Momentum">Whether the momentum is on (β1 &gt; 0).</param>
/// <param name="Tau">First-moment (U) clipping threshold τ (+∞: off).</param>
/// <param name="RelativeStep">Whether α is the relative step (relative_step=true) rather than the group's lr.</param>
/// <param name="Eps2">ε2, the smallest parameter scale of the relative step.</param>
/// <param name="RelativeScale">ρ_t = min(1e-2, 1/√t).</param>
public readonly record struct AdafactorVectorRule(float BetaHat, float OneMinusBetaHat, float Eps1, float ClipThreshold, float Beta1, float OneMinusBeta1,
    bool Momentum, float Tau, bool RelativeStep, double Eps2, double RelativeScale) : IRelativeStepRule
{
    private const int Bh = 0, Obh = 1, E1 = 2, D = 3, B1 = 4, C1 = 5, TauV = 6, Alpha = 7, Decay = 8, Scale = 9, NegStep = 10;

    /// <inheritdoc/>
    public static int StateCount => 2;

    /// <inheritdoc/>
    /// <remarks>α_t = max(ε2, √(Σθ²/n))·ρ_t, in double (Shazeer &amp; Stern 2018, Algorithm 4).</remarks>
    public double RelativeLearningRate(double thetaSumOfSquares, long count) =>
        Math.Max(Eps2, Math.Sqrt(thetaSumOfSquares / Math.Max(1, count))) * RelativeScale;

    /// <inheritdoc/>
    public static int AccumulateStateCount => 1; // v is updated in pass 1

    /// <inheritdoc/>
    public static bool AccumulateReadsTheta => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Bh] = TVec.Create(BetaHat); c[Obh] = TVec.Create(OneMinusBetaHat); c[E1] = TVec.Create(Eps1);
        c[D] = TVec.Create(ClipThreshold); c[B1] = TVec.Create(Beta1); c[C1] = TVec.Create(OneMinusBeta1);
        BroadcastFirstMomentThreshold(TVec.Create(Tau), ref c);
    }

    /// <inheritdoc/>
    public static bool ClipsFirstMoment => true;

    /// <inheritdoc/>
    /// <remarks>τ clips the numerator of U in both passes.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BroadcastFirstMomentThreshold<TVec>(TVec tau, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => c[TauV] = tau;

    /// <inheritdoc/>
    /// <remarks>Adafactor has no coupled L2 term: the raw gradient.</remarks>
    public TVec FirstMomentThresholdGradient<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g) where TVec : struct, IFloatVector<TVec> => g;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Alpha] = lr; c[Decay] = TVec.Create(1) - lr * weightDecay;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Update<TVec>(in RuleVectors<TVec> c, TVec g, TVec v) where TVec : struct, IFloatVector<TVec>
    {
        var tau = c[TauV];
        return TVec.Min(TVec.Max(g, -tau), tau) / TVec.Sqrt(v);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Accumulate<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g, ref TVec v, ref TVec m, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        v = TVec.Fma(c[Bh], v, c[Obh] * TVec.Fma(g, g, c[E1]));
        var u = Update(c, g, v);
        return u * u;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Reduce<TVec>(in RuleVectors<TVec> c, TVec total, float count, ref TVec groupState) where TVec : struct, IFloatVector<TVec>
    {
        var rms = TVec.Sqrt(total / TVec.Create(MathF.Max(count, 1)));
        return TVec.Create(1) / TVec.Max(TVec.Create(1), rms / c[D]); // 1/max(1, RMS(U)/d)
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastGroup<TVec>(TVec coefficient, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Scale] = coefficient; c[NegStep] = -(c[Alpha] * coefficient);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec v, ref TVec m, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var u = Update(c, g, v);
        if (Momentum)
        {
            m = TVec.Fma(c[B1], m, c[C1] * (c[Scale] * u));
            theta = TVec.Fma(-c[Alpha], m, theta * c[Decay]);
        }
        else theta = TVec.Fma(c[NegStep], u, theta * c[Decay]);
    }
}
