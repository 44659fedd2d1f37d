using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// S3, SoftSignSGD ("SoftSignSGD (S3)", ICLR 2025 submission): a sign-like step n/(b + eps) where b is
/// the p-th root of an EMA of |g|^p. With one shared β (beta1 = beta2) every coordinate moves by at
/// most η (the paper's Theorem 2). Nesterov uses the look-ahead n = β m + (1−β) g and
/// b = (β s + (1−β)|g|^p)^(1/p) with the updated m and s.
/// </summary>
public sealed class SoftSignSgd : Optimizer
{
    /// <summary>The hyperparameters of <c>s3</c> with their defaults and valid ranges: lr 1e-3, beta1 0.95, beta2 0.95, p 3, eps 1e-8, weight_decay 0 (decoupled), nesterov true.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Beta("beta1", 0.95),
        Hyperparameter.Beta("beta2", 0.95),
        Hyperparameter.Real("p", 3, 1, double.PositiveInfinity, description: "power of the soft-sign denominator"),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Flag("nesterov", true, "Nesterov look-ahead"),
    ];

    private readonly float[][] _m, _s;
    private float _b1, _omb1, _b2, _omb2, _lr, _decay, _eps, _p, _invP;
    private bool _nesterov;

    /// <summary>S3 over the groups; allocates the momentum m and the EMA s of |g|^p (8 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public SoftSignSgd(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("s3", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _s = Parameters.Select(p => NewState(p, "exp_avg_pow")).ToArray();
    }

    /// <summary>Precomputes the moment rates, p and 1/p, eps, η and the decoupled decay factor 1 − η wd for the group.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), lr = g.Lr, p = g.Get("p");
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _b2 = (float)b2; _omb2 = (float)(1 - b2);
        _lr = (float)lr; _decay = (float)(1 - lr * g.Get("weight_decay"));
        _eps = (float)g.Get("eps"); _p = (float)p; _invP = (float)(1 / p);
        _nesterov = g.GetFlag("nesterov");
    }

    /// <summary>One SIMD pass over [start, end): m and s updated, then θ ← θ(1 − η wd) − η n/((s or its look-ahead)^(1/p) + eps), n = m or the Nesterov look-ahead.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var m = _m[param].AsSpan(); var s = _s[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        var lr = Vector256.Create(_lr); var decay = Vector256.Create(_decay); var eps = Vector256.Create(_eps);
        if (_p == 3f && _nesterov)
        {
            // The paper's setting (p = 3, Nesterov) as a straight-line loop the JIT keeps in registers;
            // the same operations as the general loop below, so results are identical.
            for (; i < vend; i += Simd.Width)
            {
                var gi = Simd.Load(grad, i);
                var ga = Vector256.Abs(gi);
                var gp = ga * ga * ga;
                var mi = b1 * Simd.Load(m, i) + omb1 * gi;
                var si = b2 * Simd.Load(s, i) + omb2 * gp;
                Simd.Store(mi, m, i); Simd.Store(si, s, i);
                var n = b1 * mi + omb1 * gi;
                var b = Simd.Cbrt(b2 * si + omb2 * gp);
                Simd.Store(Simd.Load(theta, i) * decay - lr * n / (b + eps), theta, i);
            }
        }
        for (; i < vend; i += Simd.Width)
        {
            var gi = Simd.Load(grad, i);
            var gp = Pow(Vector256.Abs(gi));
            var mi = b1 * Simd.Load(m, i) + omb1 * gi;
            var si = b2 * Simd.Load(s, i) + omb2 * gp;
            Simd.Store(mi, m, i); Simd.Store(si, s, i);
            var n = _nesterov ? b1 * mi + omb1 * gi : mi;
            var b = Root(_nesterov ? b2 * si + omb2 * gp : si);
            Simd.Store(Simd.Load(theta, i) * decay - lr * n / (b + eps), theta, i);
        }
        for (; i < end; i++)
        {
            float gi = grad[i];
            float gp = Pow(MathF.Abs(gi));
            float mi = _b1 * m[i] + _omb1 * gi;
            float si = _b2 * s[i] + _omb2 * gp;
            m[i] = mi; s[i] = si;
            float n = _nesterov ? _b1 * mi + _omb1 * gi : mi;
            float b = Root(_nesterov ? _b2 * si + _omb2 * gp : si);
            theta[i] = theta[i] * _decay - _lr * n / (b + _eps);
        }
    }

    // |g|^p and x^(1/p): exact products, and square or cube roots (Simd.Cbrt), for the common p = 2 and p = 3;
    // exp(p·log x) otherwise. The scalar forms use the same formulas as the vector forms.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Pow(Vector256<float> a) => _p switch
    {
        2f => a * a,
        3f => a * a * a,
        _ => Vector256.Exp(Vector256.Create(_p) * Vector256.Log(a)),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Root(Vector256<float> x) => _p switch
    {
        2f => Vector256.Sqrt(x),
        3f => Simd.Cbrt(x),
        _ => Vector256.Exp(Vector256.Create(_invP) * Vector256.Log(x)),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Pow(float a) => _p switch
    {
        2f => a * a,
        3f => a * a * a,
        _ => Vector256.Exp(Vector256.Create(_p) * Vector256.Log(Vector256.Create(a))).GetElement(0),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Root(float x) => _p switch
    {
        2f => MathF.Sqrt(x),
        3f => Simd.Cbrt(x),
        _ => Vector256.Exp(Vector256.Create(_invP) * Vector256.Log(Vector256.Create(x))).GetElement(0),
    };
}
