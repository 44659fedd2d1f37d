using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Adan (Xie et al. 2024, "Adaptive Nesterov Momentum"), a baseline of the S3 paper:
/// d = g − g_prev (0 at t = 1); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) d; n ← β3 n + (1−β3)(g + β2 d)²;
/// u = (m/(1−β1^t) + β2 v/(1−β2^t)) / (√(n/(1−β3^t)) + eps); θ ← (θ − η u)/(1 + η wd) (proximal decay),
/// or with <c>decay=decoupled</c> θ ← θ(1 − η wd) − η u.
/// </summary>
public sealed class Adan : Optimizer
{
    /// <summary>The hyperparameters of <c>adan</c> with their defaults and valid ranges: lr 1e-3, beta1 0.98, beta2 0.92, beta3 0.99, eps 1e-8, weight_decay 0, decay proximal.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.98),
        Hyperparameter.Beta("beta2", 0.92),
        Hyperparameter.Beta("beta3", 0.99),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Choice("decay", "proximal", ["proximal", "decoupled"], "how weight decay is applied"),
    ];

    private readonly float[][] _m, _v, _n, _prev;
    private float _b1, _omb1, _b2, _omb2, _b3, _omb3, _c1, _c2, _isb3, _eps, _pre, _post;
    private bool _first;

    /// <summary>Adan over the groups; allocates m, v, n and the previous gradient (16 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Adan(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("adan", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _v = Parameters.Select(p => NewState(p, "exp_avg_diff")).ToArray();
        _n = Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray();
        _prev = Parameters.Select(p => NewState(p, "prev_grad")).ToArray();
    }

    /// <summary>Precomputes the three bias corrections, η and the proximal or decoupled decay for the group.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), b3 = g.Get("beta3"), lr = g.Lr, wd = g.Get("weight_decay");
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _b2 = (float)b2; _omb2 = (float)(1 - b2); _b3 = (float)b3; _omb3 = (float)(1 - b3);
        _c1 = (float)(lr / (1 - Math.Pow(b1, t)));
        _c2 = (float)(lr * b2 / (1 - Math.Pow(b2, t)));
        _isb3 = (float)(1 / Math.Sqrt(1 - Math.Pow(b3, t)));
        _eps = (float)g.Get("eps");
        bool proximal = g.Get("decay") == 0;
        _pre = proximal ? 1f : (float)(1 - lr * wd);
        _post = proximal ? (float)(1 / (1 + lr * wd)) : 1f;
        _first = t == 1;
    }

    /// <summary>One pass over [start, end): the gradient difference d, the moments m, v, n, and the update u, applied with proximal (÷(1 + η wd)) or decoupled decay; stores g as the next step's previous gradient.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var m = _m[param].AsSpan(); var v = _v[param].AsSpan(); var n = _n[param].AsSpan(); var prev = _prev[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1); var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        var b3 = Vector256.Create(_b3); var omb3 = Vector256.Create(_omb3); var c1 = Vector256.Create(_c1); var c2 = Vector256.Create(_c2);
        var isb3 = Vector256.Create(_isb3); var eps = Vector256.Create(_eps); var pre = Vector256.Create(_pre); var post = Vector256.Create(_post);
        var first = _first ? Vector256<float>.Zero : Vector256<float>.One;
        for (; i < vend; i += Simd.Width)
        {
            var gi = Simd.Load(grad, i);
            var d = (gi - Simd.Load(prev, i)) * first;
            var mi = b1 * Simd.Load(m, i) + omb1 * gi;
            var vi = b2 * Simd.Load(v, i) + omb2 * d;
            var x = gi + b2 * d;
            var ni = b3 * Simd.Load(n, i) + omb3 * (x * x);
            Simd.Store(mi, m, i); Simd.Store(vi, v, i); Simd.Store(ni, n, i); Simd.Store(gi, prev, i);
            var u = (c1 * mi + c2 * vi) / (Vector256.Sqrt(ni) * isb3 + eps);
            Simd.Store((Simd.Load(theta, i) * pre - u) * post, theta, i);
        }
        float f = _first ? 0f : 1f;
        for (; i < end; i++)
        {
            float gi = grad[i];
            float d = (gi - prev[i]) * f;
            float mi = _b1 * m[i] + _omb1 * gi;
            float vi = _b2 * v[i] + _omb2 * d;
            float x = gi + _b2 * d;
            float ni = _b3 * n[i] + _omb3 * (x * x);
            m[i] = mi; v[i] = vi; n[i] = ni; prev[i] = gi;
            float u = (_c1 * mi + _c2 * vi) / (MathF.Sqrt(ni) * _isb3 + _eps);
            theta[i] = (theta[i] * _pre - u) * _post;
        }
    }
}
