using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Lion (Chen et al. 2023): the sign of an interpolation c = β1 m + (1−β1) g, with decoupled weight
/// decay; the momentum is updated afterwards with β2. One state buffer (4 bytes per parameter).
/// </summary>
public sealed class Lion : Optimizer
{
    /// <summary>The hyperparameters of <c>lion</c> with their defaults and valid ranges: lr 1e-4, beta1 0.9, beta2 0.99, weight_decay 0 (decoupled).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-4),
        Hyperparameter.Beta("beta1", 0.9),
        Hyperparameter.Beta("beta2", 0.99),
        Hyperparameter.WeightDecay(0),
    ];

    private readonly float[][] _m;
    private float _b1, _omb1, _b2, _omb2, _lr, _decay;

    /// <summary>Lion over the groups; allocates the momentum (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Lion(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("lion", Defaults, groups, settings)
    {
        _m = Parameters.Select(p => NewState(p, "exp_avg")).ToArray();
    }

    /// <summary>Precomputes β1, β2, the decoupled decay factor 1 − η wd and η for the group.</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        double b1 = g.Get("beta1"), b2 = g.Get("beta2"), lr = g.Lr;
        _b1 = (float)b1; _omb1 = (float)(1 - b1); _b2 = (float)b2; _omb2 = (float)(1 - b2);
        _lr = (float)lr; _decay = (float)(1 - lr * g.Get("weight_decay"));
    }

    /// <summary>One SIMD pass over [start, end): θ ← θ(1 − η wd) − η sign(β1 m + (1−β1) g), then m ← β2 m + (1−β2) g.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan; var m = _m[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var b1 = Vector256.Create(_b1); var omb1 = Vector256.Create(_omb1);
        var b2 = Vector256.Create(_b2); var omb2 = Vector256.Create(_omb2);
        var lr = Vector256.Create(_lr); var decay = Vector256.Create(_decay);
        for (; i < vend; i += Simd.Width)
        {
            var mi = Simd.Load(m, i); var gi = Simd.Load(grad, i);
            var c = b1 * mi + omb1 * gi;
            Simd.Store(Simd.Load(theta, i) * decay - lr * Simd.Sign(c), theta, i);
            Simd.Store(b2 * mi + omb2 * gi, m, i);
        }
        for (; i < end; i++)
        {
            float mi = m[i], gi = grad[i];
            float c = _b1 * mi + _omb1 * gi;
            theta[i] = theta[i] * _decay - _lr * Simd.Sign(c);
            m[i] = _b2 * mi + _omb2 * gi;
        }
    }
}
