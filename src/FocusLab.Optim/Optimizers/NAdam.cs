using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// NAdam (Dozat 2016) with PyTorch semantics as fixed upstream (pytorch PR #92699): coupled L2,
/// momentum warm-up μ_t = β1(1 − ½·0.96^(t·ψ)) with ψ = momentum_decay, P_t = μ_1⋯μ_t, and
/// θ −= η[(1−μ_t)/(1−P_t)·g + μ_{t+1}/(1−P_t μ_{t+1})·m] / (√(v/(1−β2^t)) + eps).
/// </summary>
public sealed class NAdam : Optimizer
{
    /// <summary>The hyperparameters of <c>nadam</c> with their defaults and valid ranges: lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0 (coupled L2), momentum_decay 4e-3.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(2e-3),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Real("momentum_decay", 4e-3, 0, double.PositiveInfinity, description: "rate ψ of the momentum warm-up μ_t"),
    ];

    private readonly float[][] _m, _v;
    private readonly double[][] _muProduct;
    private float _b1, _omb1, _b2, _omb2, _wd, _cg, _cm, _isb, _eps;

    /// <summary>NAdam over the groups; allocates the first and second moments (8 bytes per coordinate) and keeps the running product P_t of μ_t per group.</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public NAdam(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("nadam", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _v = Parameters.Select(p => NewState(p, "exp_avg_sq")).ToArray();
        _muProduct = Groups.Select(g => NewGroupState(g, "mu_product", 1)).ToArray();
        foreach (var mp in _muProduct) mp[0] = 1;
    }

    /// <summary>Advances the momentum warm-up μ_t, μ_{t+1} and the product P_t for the group, and precomputes the two mixing coefficients of the step.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), lr = g.Lr, psi = g.Get("momentum_decay");
        double mu = b1 * (1 - 0.5 * Math.Pow(0.96, t * psi));
        double muNext = b1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        double p = _muProduct[g.Index][0] * mu;
        _muProduct[g.Index][0] = p;
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _b2 = (float)b2; _omb2 = (float)(1 - b2);
        _wd = (float)g.Get("weight_decay");
        _cg = (float)(lr * (1 - mu) / (1 - p));
        _cm = (float)(lr * muNext / (1 - p * muNext));
        _isb = (float)(1 / Math.Sqrt(1 - Math.Pow(b2, t)));
        _eps = (float)g.Get("eps");
    }

    /// <summary>One SIMD pass over [start, end): coupled L2, both moments, and θ −= η[(1−μ_t)/(1−P_t) g + μ_{t+1}/(1−P_t μ_{t+1}) m] / (√v̂ + eps).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var m = _m[param].AsSpan(); var v = _v[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        var wd = Vector256.Create(_wd); var cg = Vector256.Create(_cg); var cm = Vector256.Create(_cm);
        var isb = Vector256.Create(_isb); var eps = Vector256.Create(_eps);
        for (; i < vend; i += Simd.Width)
        {
            var th = Simd.Load(theta, i);
            var gi = Simd.Load(grad, i) + wd * th;
            var mi = b1 * Simd.Load(m, i) + omb1 * gi;
            var vi = b2 * Simd.Load(v, i) + omb2 * (gi * gi);
            Simd.Store(mi, m, i); Simd.Store(vi, v, i);
            Simd.Store(th - (cg * gi + cm * mi) / (Vector256.Sqrt(vi) * isb + eps), theta, i);
        }
        for (; i < end; i++)
        {
            float th = theta[i];
            float gi = grad[i] + _wd * th;
            float mi = _b1 * m[i] + _omb1 * gi;
            float vi = _b2 * v[i] + _omb2 * (gi * gi);
            m[i] = mi; v[i] = vi;
            theta[i] = th - (_cg * gi + _cm * mi) / (MathF.Sqrt(vi) * _isb + _eps);
        }
    }
}
