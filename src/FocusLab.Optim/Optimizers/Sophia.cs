using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// SophiaG (Liu et al. 2023, "Sophia: A Scalable Stochastic Second-order Optimizer", the official code):
/// a sign-like step clipped by a diagonal Hessian estimate h.
/// <code>
/// θ ← θ(1 − η wd);  m ← β1 m + (1−β1) g;  θ ← θ − η·sign(m)·min(|m| / (ρ·bs·h + 1e-15), 1)
/// </code>
/// so every coordinate moves by at most η (plus the decay). h starts at 0 (pure sign steps) and
/// changes only in <see cref="UpdateHessian"/>: h ← β2 h + (1−β2) ĝ², ĝ the gradient now in the
/// gradient buffers — in training the Gauss–Newton–Bartlett gradient (labels sampled from the model's
/// softmax, one backward pass), computed every k steps. bs is the number of examples (tokens) per batch,
/// because the mean-loss gradient ĝ makes bs·ĝ² the Gauss–Newton diagonal estimate.
/// </summary>
public sealed class Sophia : Optimizer, IHessianDiagonal
{
    /// <summary>SophiaG's defaults: lr 1e-4, β (0.965, 0.99), ρ 0.04, wd 0.1, bs 5120 (the official code's default; set it to the tokens per batch).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-4),
        Hyperparameter.Beta("beta1", 0.965),
        Hyperparameter.Beta("beta2", 0.99),
        Hyperparameter.Real("rho", 0.04, 0, double.PositiveInfinity, false, true, "ρ: the clipping scale of m/(ρ·bs·h)"),
        Hyperparameter.Real("bs", 5120, 0, double.PositiveInfinity, false, true, "examples (tokens) per batch in the Hessian scaling"),
        Hyperparameter.WeightDecay(0.1),
    ];

    private readonly float[][] _m, _h;
    private readonly double[] _updates;
    private float _decay, _b1, _omb1, _scale, _lr, _b2, _omb2;
    private bool _hessianPass;

    /// <summary>Builds SophiaG over <paramref name="groups"/>.</summary>
    /// <param name="groups">Parameter groups with their overrides.</param>
    /// <param name="settings">Spec-level hyperparameter values.</param>
    public Sophia(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("sophia", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _h = Parameters.Select(p => NewState(p, "hessian")).ToArray();
        _updates = NewGroupState(Groups[0], "hessian_updates", 1);
    }

    /// <inheritdoc/>
    public long HessianUpdates => (long)_updates[0];

    /// <inheritdoc/>
    public void UpdateHessian()
    {
        _hessianPass = true;
        try
        {
            for (int gi = 0; gi < Groups.Count; gi++)
            {
                double b2 = Groups[gi].Get("beta2");
                _b2 = (float)b2; _omb2 = (float)(1 - b2);
                RunChunks(Groups[gi], mode: 0);
            }
        }
        finally { _hessianPass = false; }
        _updates[0]++;
    }

    /// <inheritdoc/>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double lr = g.Lr, b1 = g.Get("beta1");
        _lr = (float)lr;
        _decay = (float)(1 - lr * g.Get("weight_decay"));
        _b1 = (float)b1; _omb1 = (float)(1 - b1);
        _scale = (float)(g.Get("rho") * g.Get("bs"));
    }

    /// <inheritdoc/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        if (_hessianPass) { Hessian(param, start, end); return; }
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var m = _m[param].AsSpan(); var h = _h[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var decay = Vector256.Create(_decay); var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        var scale = Vector256.Create(_scale); var tiny = Vector256.Create(1e-15f); var lr = Vector256.Create(_lr);
        var one = Vector256<float>.One;
        // sign(m)·min(|m|/d, 1) = clamp(m/d, −1, 1) exactly for d > 0 (IEEE division is sign-symmetric).
        for (; i < vend; i += Simd.Width)
        {
            var mi = b1 * Simd.Load(m, i) + omb1 * Simd.Load(grad, i);
            Simd.Store(mi, m, i);
            var ratio = Vector256.Min(Vector256.Max(mi / (scale * Simd.Load(h, i) + tiny), -one), one);
            Simd.Store(Simd.Load(theta, i) * decay - lr * ratio, theta, i);
        }
        for (; i < end; i++)
        {
            float mi = _b1 * m[i] + _omb1 * grad[i];
            m[i] = mi;
            float ratio = Math.Min(Math.Max(mi / (_scale * h[i] + 1e-15f), -1f), 1f);
            theta[i] = theta[i] * _decay - _lr * ratio;
        }
    }

    private void Hessian(int param, int start, int end)
    {
        var grad = Parameters[param].GradSpan; var h = _h[param].AsSpan();
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        int i = start, vend = Simd.VectorEnd(start, end);
        for (; i < vend; i += Simd.Width)
        {
            var gi = Simd.Load(grad, i);
            Simd.Store(b2 * Simd.Load(h, i) + omb2 * (gi * gi), h, i);
        }
        for (; i < end; i++) h[i] = _b2 * h[i] + _omb2 * (grad[i] * grad[i]);
    }
}
