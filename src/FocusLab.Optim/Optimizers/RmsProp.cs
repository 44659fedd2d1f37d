using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// RMSprop (Hinton) with PyTorch semantics: coupled L2, v = α v + (1−α) g², no bias correction,
/// optional centering (subtracts the squared mean gradient) and momentum buf = μ buf + g/(√v + eps).
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>The hyperparameters of <c>rmsprop</c> with their defaults and valid ranges: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0 (coupled L2), momentum 0, centered false.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-2),
        Hyperparameter.Real("alpha", 0.99, 0, 1, true, false, "smoothing constant of the squared-gradient average"),
        Hyperparameter.Epsilon(1e-8),
        Hyperparameter.WeightDecay(0),
        Hyperparameter.Real("momentum", 0, 0, 1, true, false, "momentum μ"),
        Hyperparameter.Flag("centered", false, "divide by the estimated gradient standard deviation"),
    ];

    private readonly float[][] _v;
    private readonly float[][]? _gAvg, _buf;
    private float _lr, _a, _oma, _eps, _wd, _mu;
    private bool _centered;

    /// <summary>RMSprop over the groups; allocates the squared-gradient average, plus the mean gradient when centered and the momentum buffer when momentum &gt; 0 (4 bytes per coordinate each).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public RmsProp(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("rmsprop", Defaults, groups, settings)
    {
        _v = Parameters.Select(p => NewState(p, "square_avg")).ToArray();
        // Optional buffers exist only when some group asks for them, so plain RMSprop keeps 4 bytes per parameter.
        if (Groups.Any(g => g.GetFlag("centered"))) _gAvg = Parameters.Select(p => NewState(p, "grad_avg")).ToArray();
        if (Groups.Any(g => g.Get("momentum") > 0)) _buf = Parameters.Select(p => NewState(p, "momentum_buffer")).ToArray();
    }

    /// <summary>Reads alpha, eps, weight decay, momentum and centering of the group for this step; refuses centering or momentum switched on after construction (their buffers do not exist).</summary>
    protected override void BeginGroup(ParameterGroup g, long t)
    {
        _lr = (float)g.Lr; double a = g.Get("alpha");
        _a = (float)a; _oma = (float)(1 - a); _eps = (float)g.Get("eps"); _wd = (float)g.Get("weight_decay");
        _mu = (float)g.Get("momentum"); _centered = g.GetFlag("centered");
        if (_centered && _gAvg is null || _mu > 0 && _buf is null)
            throw new InvalidOperationException("rmsprop: centered or momentum was switched on after construction; set it in the spec so its state buffer exists.");
    }

    /// <summary>One pass over [start, end): v = α v + (1−α) g², optionally centered, and θ −= η g/(√v + eps), through the momentum buffer when μ &gt; 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan; var v = _v[param].AsSpan();
        if (_centered || _mu > 0) { UpdateGeneral(param, start, end); return; }
        int i = start, vend = Simd.VectorEnd(start, end);
        var a = Vector256.Create(_a); var oma = Vector256.Create(_oma); var eps = Vector256.Create(_eps);
        var wd = Vector256.Create(_wd); var lr = Vector256.Create(_lr);
        for (; i < vend; i += Simd.Width)
        {
            var th = Simd.Load(theta, i);
            var gi = Simd.Load(grad, i) + wd * th;
            var vi = a * Simd.Load(v, i) + oma * (gi * gi);
            Simd.Store(vi, v, i);
            Simd.Store(th - lr * gi / (Vector256.Sqrt(vi) + eps), theta, i);
        }
        for (; i < end; i++)
        {
            float th = theta[i];
            float gi = grad[i] + _wd * th;
            float vi = _a * v[i] + _oma * (gi * gi);
            v[i] = vi;
            theta[i] = th - _lr * gi / (MathF.Sqrt(vi) + _eps);
        }
    }

    private void UpdateGeneral(int param, int start, int end)
    {
        var theta = Parameters[param].DataSpan; var grad = Parameters[param].GradSpan; var v = _v[param].AsSpan();
        for (int i = start; i < end; i++)
        {
            float th = theta[i];
            float gi = grad[i] + _wd * th;
            float vi = _a * v[i] + _oma * (gi * gi);
            v[i] = vi;
            float avg;
            if (_centered)
            {
                float ga = _a * _gAvg![param][i] + _oma * gi;
                _gAvg[param][i] = ga;
                avg = MathF.Sqrt(vi - ga * ga) + _eps;
            }
            else avg = MathF.Sqrt(vi) + _eps;
            if (_mu > 0)
            {
                float b = _mu * _buf![param][i] + gi / avg;
                _buf[param][i] = b;
                theta[i] = th - _lr * b;
            }
            else theta[i] = th - _lr * gi / avg;
        }
    }
}
