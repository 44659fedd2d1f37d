using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) and AdamW (Loshchilov &amp; Hutter), PyTorch semantics: bias-corrected moments,
/// eps added after the square root. adam couples L2 into the gradient (g += wd θ); adamw decays
/// θ ← θ(1 − η wd) first. Supports Pan &amp; Li's clipped first moment (<see cref="IFirstMomentClipping"/>).
/// </summary>
public sealed class Adam : Optimizer, IFirstMomentClipping
{
    /// <summary>The hyperparameters of <c>adam</c> (<paramref name="decoupled"/> false) or <c>adamw</c> (true): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, and weight_decay 0 for adam, 1e-2 for adamw (PyTorch's defaults).</summary>
    /// <param name="decoupled">true for adamw's schema, false for adam's.</param>
    public static IReadOnlyList<Hyperparameter> DefaultsFor(bool decoupled) =>
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(decoupled ? 1e-2 : 0),
    ];

    private readonly float[][] _m, _v;
    private readonly float[] _tau;
    private readonly bool _decoupled;
    private float _b1, _omb1, _b2, _omb2, _coupled, _decay, _stepSize, _invSqrtBc2, _eps, _tauNow;

    /// <summary>Adam or AdamW over the groups; allocates the first and second moments (8 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="DefaultsFor"/>); null keeps the defaults.</param>
    /// <param name="decoupled">true for adamw (decoupled weight decay), false for adam (L2 in the gradient).</param>
    public Adam(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null, bool decoupled = false)
        : base(decoupled ? "adamw" : "adam", DefaultsFor(decoupled), groups, settings)
    {
        _decoupled = decoupled;
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _v = Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray();
        _tau = Enumerable.Repeat(float.PositiveInfinity, Groups.Count).ToArray();
    }

    /// <summary>Precomputes the moment rates, the coupled L2 or decoupled decay factor, the bias-corrected step η/(1−β1^t), 1/√(1−β2^t), eps and the group's first-moment clipping threshold τ.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), lr = g.Lr, wd = g.Get("weight_decay");
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _b2 = (float)b2; _omb2 = (float)(1 - b2);
        _coupled = _decoupled ? 0f : (float)wd;
        _decay = _decoupled ? (float)(1 - lr * wd) : 1f;
        _stepSize = (float)(lr / (1 - Math.Pow(b1, t)));
        _invSqrtBc2 = (float)(1 / Math.Sqrt(1 - Math.Pow(b2, t)));
        _eps = (float)g.Get("eps");
        _tauNow = _tau[g.Index];
    }

    /// <summary>One SIMD pass over [start, end): g += wd θ (adam), m ← β1 m + (1−β1) clip(g, τ), v ← β2 v + (1−β2) g², θ ← θ(1 − η wd) (adamw) − η m̂/(√v̂ + eps).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var m = _m[param].AsSpan(); var v = _v[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        var coupled = Vector256.Create(_coupled); var decay = Vector256.Create(_decay);
        var step = Vector256.Create(_stepSize); var isb = Vector256.Create(_invSqrtBc2); var eps = Vector256.Create(_eps);
        var tau = Vector256.Create(_tauNow); var ntau = -tau;
        for (; i < vend; i += Simd.Width)
        {
            var th = Simd.Load(theta, i);
            var gi = Simd.Load(grad, i) + coupled * th;
            var mi = b1 * Simd.Load(m, i) + omb1 * Vector256.Min(Vector256.Max(gi, ntau), tau);
            var vi = b2 * Simd.Load(v, i) + omb2 * (gi * gi);
            Simd.Store(mi, m, i); Simd.Store(vi, v, i);
            Simd.Store(th * decay - step * mi / (Vector256.Sqrt(vi) * isb + eps), theta, i);
        }
        for (; i < end; i++)
        {
            float th = theta[i];
            float gi = grad[i] + _coupled * th;
            float mi = _b1 * m[i] + _omb1 * Math.Min(Math.Max(gi, -_tauNow), _tauNow);
            float vi = _b2 * v[i] + _omb2 * (gi * gi);
            m[i] = mi; v[i] = vi;
            theta[i] = th * _decay - _stepSize * mi / (MathF.Sqrt(vi) * _invSqrtBc2 + _eps);
        }
    }

    /// <inheritdoc/>
    /// <remarks>For adam this is g + wd θ (coupled L2); for adamw the raw gradient.</remarks>
    public void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination)
    {
        float wd = _decoupled ? 0f : (float)group.Get("weight_decay");
        var g = p.GradSpan; var th = p.DataSpan;
        for (int i = 0; i < g.Length; i++) destination[i] = g[i] + wd * th[i];
    }

    /// <inheritdoc/>
    public void SetFirstMomentThreshold(ParameterGroup group, float tau) => _tau[group.Index] = tau;
}
