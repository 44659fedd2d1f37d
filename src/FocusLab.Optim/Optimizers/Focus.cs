using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// FOCUS (Liu, Liu &amp; Gore 2025, "First Order Concentrated Updating Scheme", Algorithm 1): the sign
/// of momentum plus an attraction γ·sign(θ − θ̂) toward the bias-corrected moving average θ̂ of the
/// parameters, which concentrates the iterate in narrowing valleys.
/// <para>m ← β1 m + (1−β1) g; θ̄ ← β2 θ̄ + (1−β2) θ; θ̂ = θ̄/(1−β2^t)</para>
/// <para>decay "before" (paper): θ ← θ − η wd θ̂, then θ ← θ − η(sign(m) + γ sign(θ − θ̂)).</para>
/// <para>decay "after" (authors' released code): the sign step with the pre-step θ, then θ ← θ − η wd θ̂.</para>
/// decay_target "theta" decays toward the pre-step θ instead of θ̂, as the toy experiments (docs/equations.md#toy-optimizers).
/// sign(θ − θ̂) is evaluated as sign(θ(1−β2^t) − θ̄): no division, and exactly 0 at t = 1 (docs/equations.md#focus).
/// </summary>
public sealed class Focus : Optimizer
{
    /// <summary>The hyperparameters of <c>focus</c> with their defaults and valid ranges: lr 6e-4, beta1 0.9, beta2 0.999, gamma 0.1, weight_decay 0, decay before (the paper; after = the released code), decay_target theta_hat.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(6e-4),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.999),
        Hyperparameter.Real("gamma", 0.1, 0, double.PositiveInfinity, description: "attraction strength toward θ̂"),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Choice("decay", "before", ["before", "after"], "when weight decay is applied relative to the sign step"),
        Hyperparameter.Choice("decay_target", "theta_hat", ["theta_hat", "theta"], "what weight decay pulls toward zero"),
    ];

    private readonly float[][] _m, _avg;
    private float _b1, _omb1, _b2, _omb2, _lr, _gammaLr, _bc, _decayCoef;
    private bool _after, _towardTheta;

    /// <summary>FOCUS over the groups; allocates the momentum m and the parameter average θ̄ (8 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Focus(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("focus", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
        _avg = Parameters.Select(p => NewState(p, "param_avg")).ToArray();
    }

    /// <summary>Precomputes the moment rates, η, γη, the bias correction 1−β2^t and the weight-decay coefficient (folded onto θ̄ when decaying toward θ̂) for the group.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), lr = g.Lr, wd = g.Get("weight_decay");
        double bc = 1 - Math.Pow(b2, t);
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _b2 = (float)b2; _omb2 = (float)(1 - b2);
        _lr = (float)lr; _gammaLr = (float)(lr * g.Get("gamma"));
        _bc = (float)bc;
        _after = g.Get("decay") == 1;
        _towardTheta = g.Get("decay_target") == 1;
        // Decay toward θ̂ = θ̄/bc is folded into one coefficient on θ̄; toward θ it multiplies θ.
        _decayCoef = _towardTheta ? (float)(lr * wd) : (float)(lr * wd / bc);
    }

    /// <summary>One SIMD pass over [start, end): m and θ̄ updated, then θ −= η(sign(m) + γ sign(θ(1−β2^t) − θ̄)), with the weight decay before or after the sign step as <c>decay</c> says.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan;
        var m = _m[param].AsSpan(); var avg = _avg[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        var lr = Vector256.Create(_lr); var glr = Vector256.Create(_gammaLr);
        var bc = Vector256.Create(_bc); var dc = Vector256.Create(_decayCoef);
        bool after = _after, towardTheta = _towardTheta;
        for (; i < vend; i += Simd.Width)
        {
            var th = Simd.Load(theta, i);
            var mi = b1 * Simd.Load(m, i) + omb1 * Simd.Load(grad, i);
            var ai = b2 * Simd.Load(avg, i) + omb2 * th;
            Simd.Store(mi, m, i); Simd.Store(ai, avg, i);
            var decay = dc * (towardTheta ? th : ai);
            if (after)
                th = th - (lr * Simd.Sign(mi) + glr * Simd.Sign(th * bc - ai)) - decay;
            else
            {
                th -= decay;
                th = th - (lr * Simd.Sign(mi) + glr * Simd.Sign(th * bc - ai));
            }
            Simd.Store(th, theta, i);
        }
        for (; i < end; i++)
        {
            float th = theta[i];
            float mi = _b1 * m[i] + _omb1 * grad[i];
            float ai = _b2 * avg[i] + _omb2 * th;
            m[i] = mi; avg[i] = ai;
            float decay = _decayCoef * (towardTheta ? th : ai);
            if (after)
                th = th - (_lr * Simd.Sign(mi) + _gammaLr * Simd.Sign(th * _bc - ai)) - decay;
            else
            {
                th -= decay;
                th = th - (_lr * Simd.Sign(mi) + _gammaLr * Simd.Sign(th * _bc - ai));
            }
            theta[i] = th;
        }
    }
}
