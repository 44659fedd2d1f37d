using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled"; the reference algorithm of
/// facebookresearch/schedule_free). Three sequences start at θ₀: z (the base AdamW-like iterate),
/// x (a weighted average of z, the point to evaluate and save) and y (where gradients are taken, held by
/// the parameters while training). Step k = 0, 1, … of a group:
/// <code>
/// η_k = η·min(1, (k+1)/warmup_steps);  η_max = max(η_max, η_k);  w = (k+1)^r·η_max^weight_lr_power;  W += w;  c = w/W
/// z ← z − η_k wd y                                   (decay evaluated at y)
/// v ← β2 v + (1−β2) g²;  z ← z − η_k g / (√(v/(1−β2^(k+1))) + eps)
/// x ← (1−c) x + c z;      y ← β1 x + (1−β1) z
/// </code>
/// No learning-rate schedule is needed (use a constant one). <see cref="Eval"/> switches the parameters
/// to x, <see cref="Train"/> back to y (recomputed from x and z with the same float operations as the
/// step, so switching never perturbs training). The mode is saved with the state. State: z, x, v
/// (12 bytes per parameter) and per group η_max, W and the mode.
/// </summary>
public sealed class ScheduleFreeAdamW : Optimizer, ITrainEvalSwitch
{
    /// <summary>The reference implementation's defaults.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(0.0025),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Real("warmup_steps", 0, 0, double.PositiveInfinity, description: "linear warm-up of the step size over this many steps (0: none)"),
        Hyperparameter.Real("r", 0, 0, double.PositiveInfinity, description: "polynomial weighting (k+1)^r of the average"),
        Hyperparameter.Real("weight_lr_power", 2, 0, double.PositiveInfinity, description: "the average weights steps by η_max^weight_lr_power"),
    ];

    private const int LrMax = 0, WeightSum = 1, EvalMode = 2;

    private readonly float[][] _z, _x, _v;
    private readonly double[][] _schedule;          // per group: η_max, W, 1 when in evaluation mode
    private float _decayStep, _lrStep, _b2, _omb2, _invBc2, _eps, _c, _omc, _b1, _omb1;
    private bool _first;

    /// <summary>Builds schedule-free AdamW over <paramref name="groups"/>.</summary>
    /// <param name="groups">Parameter groups with their overrides.</param>
    /// <param name="settings">Spec-level hyperparameter values.</param>
    public ScheduleFreeAdamW(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("schedulefree_adamw", Defaults, groups, settings)
    {
        _z = Parameters.Select(p => NewState(p, "z")).ToArray();
        _x = Parameters.Select(p => NewState(p, "x")).ToArray();
        _v = Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray();
        _schedule = Groups.Select(g => NewGroupState(g, "schedule_free", 3)).ToArray();
    }

    /// <inheritdoc/>
    public bool IsTraining => _schedule.All(s => s[EvalMode] == 0);

    /// <inheritdoc/>
    public void Train()
    {
        foreach (var g in Groups)
        {
            if (_schedule[g.Index][EvalMode] == 0) continue;
            if (StepCount > 0) SetBeta1(g);
            foreach (var p in g.Parameters)
                if (StepCount > 0) Interpolate(IndexOf(p), 0, p.Length);
            _schedule[g.Index][EvalMode] = 0;
        }
    }

    /// <inheritdoc/>
    public void Eval()
    {
        foreach (var g in Groups)
        {
            if (_schedule[g.Index][EvalMode] == 1) continue;
            foreach (var p in g.Parameters)
                if (StepCount > 0) _x[IndexOf(p)].CopyTo(p.DataSpan);
            _schedule[g.Index][EvalMode] = 1;
        }
    }

    /// <inheritdoc/>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        var s = _schedule[g.Index];
        if (s[EvalMode] != 0)
            throw new InvalidOperationException("schedulefree_adamw: Step() while the parameters hold the evaluation point x; call Train() first (gradients must be taken at y).");
        long k = t - 1;
        double warmup = g.Get("warmup_steps");
        double lr = g.Lr * (k < warmup ? (k + 1) / warmup : 1.0);
        s[LrMax] = Math.Max(s[LrMax], lr);
        double w = Math.Pow(k + 1, g.Get("r")) * Math.Pow(s[LrMax], g.Get("weight_lr_power"));
        s[WeightSum] += w;
        double c = s[WeightSum] > 0 ? w / s[WeightSum] : 0;
        double b2 = g.Get("beta2");
        _decayStep = (float)(lr * g.Get("weight_decay"));
        _lrStep = (float)lr;
        _b2 = (float)b2; _omb2 = (float)(1 - b2);
        _invBc2 = (float)(1 / (1 - Math.Pow(b2, t)));
        _eps = (float)g.Get("eps");
        _c = (float)c; _omc = (float)(1 - c);
        SetBeta1(g);
        _first = t == 1;
    }

    private void SetBeta1(ParameterGroup g)
    {
        double b1 = g.Get("beta1");
        _b1 = (float)b1; _omb1 = (float)(1 - b1);
    }

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var y = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var z = _z[param].AsSpan(); var x = _x[param].AsSpan(); var v = _v[param].AsSpan();
        if (_first)
        {
            y[start..end].CopyTo(z[start..end]);
            y[start..end].CopyTo(x[start..end]);
        }
        int i = start, vend = Simd.VectorEnd(start, end);
        var decay = Vector256.Create(_decayStep); var lr = Vector256.Create(_lrStep);
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2); var ibc = Vector256.Create(_invBc2);
        var eps = Vector256.Create(_eps); var c = Vector256.Create(_c); var omc = Vector256.Create(_omc);
        for (; i < vend; i += Simd.Width)
        {
            var gi = Simd.Load(grad, i);
            var vi = b2 * Simd.Load(v, i) + omb2 * (gi * gi);
            var zi = Simd.Load(z, i) - decay * Simd.Load(y, i);
            zi -= lr * gi / (Vector256.Sqrt(vi * ibc) + eps);
            var xi = omc * Simd.Load(x, i) + c * zi;
            Simd.Store(vi, v, i); Simd.Store(zi, z, i); Simd.Store(xi, x, i);
        }
        for (; i < end; i++)
        {
            float gi = grad[i];
            float vi = _b2 * v[i] + _omb2 * (gi * gi);
            float zi = z[i] - _decayStep * y[i];
            zi -= _lrStep * gi / (MathF.Sqrt(vi * _invBc2) + _eps);
            v[i] = vi; z[i] = zi;
            x[i] = _omc * x[i] + _c * zi;
        }
        Interpolate(param, start, end);
    }

    /// <summary>y = β1 x + (1−β1) z on [start, end): the one place y is computed (step and <see cref="Train"/>), so both give the same bits.</summary>
    private void Interpolate(int param, int start, int end)
    {
        var y = Parameters[param].DataSpan; var z = _z[param].AsSpan(); var x = _x[param].AsSpan();
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        int i = start, vend = Simd.VectorEnd(start, end);
        for (; i < vend; i += Simd.Width) Simd.Store(b1 * Simd.Load(x, i) + omb1 * Simd.Load(z, i), y, i);
        for (; i < end; i++) y[i] = _b1 * x[i] + _omb1 * z[i];
    }
}
