using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// SGD with PyTorch semantics: coupled L2 (d = g + wd θ), momentum buf = μ buf + (1−dampening) d with
/// buf = d on the first step, and Nesterov d + μ buf. <c>momentum_init = zero</c> starts the buffer at 0
/// instead (an exponential moving average from m₀ = 0, as Pan &amp; Li's clipped SGD).
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>The hyperparameters of <c>sgd</c> with their defaults and valid ranges: lr 1e-2, momentum 0, dampening 0, nesterov false, weight_decay 0 (coupled L2), momentum_init grad.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-2),
        Hyperparameter.Real("momentum", 0, 0, 1, true, false, "momentum μ"),
        Hyperparameter.Real("dampening", 0, 0, 1, true, true, "dampening of the gradient in the momentum buffer"),
        Hyperparameter.Flag("nesterov", false, "Nesterov momentum"),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Choice("momentum_init", "grad", ["grad", "zero"], "first momentum buffer: the gradient (PyTorch) or zero"),
    ];

    private readonly float[][] _buf;
    private float _lr, _wd, _mu, _damp;
    private bool _first, _nesterov, _noMomentum;

    /// <summary>SGD over the groups; allocates the momentum buffer (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Sgd(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("sgd", Defaults, groups, settings)
    {
        foreach (var g in Groups)
            if (g.GetFlag("nesterov") && (g.Get("momentum") <= 0 || g.Get("dampening") != 0))
                throw new ArgumentException("sgd: nesterov = true needs momentum > 0 and dampening = 0 (as PyTorch).", "nesterov");
        _buf = Parameters.Select(p => NewState(p, "momentum_buffer")).ToArray();
    }

    /// <summary>Turns the group's lr, momentum, dampening and weight decay into this step's coefficients (the first step, or momentum_init = zero, decides how the buffer starts).</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        _lr = (float)g.Lr; _wd = (float)g.Get("weight_decay");
        double mu = g.Get("momentum");
        _mu = (float)mu; _damp = (float)(1 - g.Get("dampening"));
        _noMomentum = mu == 0;
        _first = t == 1 && g.Get("momentum_init") == 0;
        _nesterov = g.GetFlag("nesterov");
    }

    /// <summary>One SIMD pass over [start, end) of a parameter: d = g + wd θ, buf = μ buf + (1−dampening) d, θ −= η (Nesterov ? d + μ buf : buf), or θ −= η d without momentum.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan; var buf = _buf[param].AsSpan();
        int i = start, vend = Simd.VectorEnd(start, end);
        var lr = Vector256.Create(_lr); var wd = Vector256.Create(_wd);
        var mu = Vector256.Create(_mu); var damp = Vector256.Create(_damp);
        for (; i < vend; i += Simd.Width)
        {
            var th = Simd.Load(theta, i);
            var d = Simd.Load(grad, i) + wd * th;
            if (!_noMomentum)
            {
                var b = _first ? d : mu * Simd.Load(buf, i) + damp * d;
                Simd.Store(b, buf, i);
                d = _nesterov ? d + mu * b : b;
            }
            Simd.Store(th - lr * d, theta, i);
        }
        for (; i < end; i++)
        {
            float th = theta[i];
            float d = grad[i] + _wd * th;
            if (!_noMomentum)
            {
                float b = _first ? d : _mu * buf[i] + _damp * d;
                buf[i] = b;
                d = _nesterov ? d + _mu * b : b;
            }
            theta[i] = th - _lr * d;
        }
    }
}
