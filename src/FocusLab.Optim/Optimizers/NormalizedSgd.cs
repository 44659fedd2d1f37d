using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Normalized SGD (as used by Pan &amp; Li 2023): momentum m as <see cref="Sgd"/> (coupled L2, buf = g on the
/// first step), then each tensor steps by η·m·√numel/‖m‖₂, so every tensor's update has RMS η whatever
/// the gradient scale. A tensor whose momentum is exactly zero does not move.
/// </summary>
public sealed class NormalizedSgd : Optimizer
{
    /// <summary>The hyperparameters of <c>normalized_sgd</c> with their defaults and valid ranges: lr 1e-3, momentum 0.9, dampening 0, weight_decay 0 (coupled L2).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.Real("momentum", 0.9, 0, 1, true, false, "momentum μ"),
        Hyperparameter.Real("dampening", 0, 0, 1, true, true, "dampening of the gradient in the momentum buffer"),
        Hyperparameter.WeightDecay(0),
    ];

    private readonly float[][] _buf;
    private float _mu, _damp, _wd, _scale;
    private bool _first;

    /// <summary>Normalized SGD over the groups; allocates the momentum buffer (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public NormalizedSgd(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("normalized_sgd", Defaults, groups, settings)
    {
        _buf = Parameters.Select(p => NewState(p, "momentum_buffer")).ToArray();
    }

    /// <summary>Updates each tensor's momentum, measures its L2 norm and steps θ −= η·m·√n/‖m‖₂ (a tensor with zero or non-finite norm does not move).</summary>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        _mu = (float)g.Get("momentum"); _damp = (float)(1 - g.Get("dampening")); _wd = (float)g.Get("weight_decay");
        _first = t == 1 || _mu == 0;
        for (int gp = 0; gp < g.Parameters.Count; gp++) // index loop: no boxed enumerator per step
        {
            var p = g.Parameters[gp];
            int k = IndexOf(p);
            var theta = p.DataSpan; var grad = p.GradSpan; var buf = _buf[k].AsSpan();
            for (int i = 0; i < theta.Length; i++)
            {
                float d = grad[i] + _wd * theta[i];
                buf[i] = _first ? d : _mu * buf[i] + _damp * d;
            }
            double norm = Math.Sqrt(Reductions.SumOfSquares(buf));
            if (norm == 0 || !double.IsFinite(norm)) continue;
            _scale = (float)(g.Lr * Math.Sqrt(p.Length) / norm);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(buf, -_scale, theta, theta);
        }
    }

    /// <summary>Not used: every tensor needs its whole momentum norm before it can step, so <see cref="StepGroup"/> does the work; throws <see cref="NotSupportedException"/>.</summary>
    protected override void UpdateRange(int param, int start, int end) => throw new NotSupportedException();
}
