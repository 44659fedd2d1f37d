using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Signum (Bernstein et al. 2018): the sign of an exponential moving average of gradients, with
/// decoupled weight decay. m ← β1 m + (1−β1) g; θ ← θ(1−η wd) − η sign(m).
/// </summary>
public sealed class Signum : Optimizer
{
    /// <summary>The hyperparameters of <c>signum</c> with their defaults and valid ranges: lr 1e-4, beta1 0.9, weight_decay 0 (decoupled).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-4),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.WeightDecay(0),
    ];

    private readonly float[][] _m;
    private float _b1, _omb1, _lr, _decay;

    /// <summary>Signum over the groups; allocates the momentum (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Signum(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("signum", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
    }

    /// <summary>Precomputes β1, 1−β1, the decoupled decay factor 1 − η wd and η for the group.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), lr = g.Lr;
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _lr = (float)lr;
        _decay = (float)(1 - lr * g.Get("weight_decay"));
    }

    /// <summary>One SIMD pass over [start, end): m ← β1 m + (1−β1) g; θ ← θ(1 − η wd) − η sign(m).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan; var m = _m[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1); var lr = Vector256.Create(_lr); var decay = Vector256.Create(_decay);
        for (; i < vend; i += Simd.Width)
        {
            var mi = b1 * Simd.Load(m, i) + omb1 * Simd.Load(grad, i);
            Simd.Store(mi, m, i);
            Simd.Store(Simd.Load(theta, i) * decay - lr * Simd.Sign(mi), theta, i);
        }
        for (; i < end; i++)
        {
            float mi = _b1 * m[i] + _omb1 * grad[i];
            m[i] = mi;
            theta[i] = theta[i] * _decay - _lr * Simd.Sign(mi);
        }
    }
}
