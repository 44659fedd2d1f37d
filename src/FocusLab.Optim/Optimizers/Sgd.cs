using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// SGD with PyTorch semantics: coupled L2 (d = g + wd θ), momentum buf = μ buf + (1−dampening) d with
/// buf = d on the first step, and Nesterov d + μ buf. <c>momentum_init = zero</c> starts the buffer at 0
/// instead (an exponential moving average from m₀ = 0, as Pan &amp; Li's clipped SGD).
/// </summary>
public sealed class Sgd : RuleOptimizer<SgdRule>
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

    /// <summary>SGD over the groups; allocates the momentum buffer (4 bytes per coordinate).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Sgd(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("sgd", Defaults, groups, settings)
    {
        foreach (var g in Groups)
            if (g.GetFlag("nesterov") && (g.Get("momentum") <= 0 || g.Get("dampening") != 0))
                throw new ArgumentException("sgd: nesterov = true needs momentum > 0 and dampening = 0 (as PyTorch).", "nesterov");
        UseStates(Parameters.Select(p => NewState(p, "momentum_buffer")).ToArray());
    }

    /// <inheritdoc/>
    protected override SgdRule CreateRule(ParameterGroup g, long t)
    {
        double mu = g.Get("momentum");
        return new((float)mu, (float)(1 - g.Get("dampening")), mu != 0, t == 1 && g.Get("momentum_init") == 0, g.GetFlag("nesterov"));
    }
}

/// <summary>
/// SGD's step: d = g + wd θ; with momentum buf = μ buf + (1−dampening) d (buf = d on a first step that
/// starts from the gradient) and d = Nesterov ? d + μ buf : buf; θ ← θ − η d. State s0 = buf.
/// </summary>
/// <param name="Momentum">μ.</param>
/// <param name="OneMinusDampening">1 − dampening.</param>
/// <param name="HasMomentum">μ ≠ 0.</param>
/// <param name="FirstFromGradient">This step sets buf = d (PyTorch's first step).</param>
/// <param name="Nesterov">Nesterov momentum.</param>
public readonly record struct SgdRule(float Momentum, float OneMinusDampening, bool HasMomentum, bool FirstFromGradient, bool Nesterov) : IUpdateRule
{
    private const int Mu = 0, Damp = 1, Lr = 2, Wd = 3;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Mu] = TVec.Create(Momentum); c[Damp] = TVec.Create(OneMinusDampening);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Lr] = lr; c[Wd] = weightDecay;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec buf, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        var d = TVec.Fma(c[Wd], theta, g);
        if (HasMomentum)
        {
            buf = MomentumBuffer(buf, d, c[Mu], c[Damp], FirstFromGradient);
            d = Nesterov ? TVec.Fma(c[Mu], buf, d) : buf;
        }
        theta -= c[Lr] * d;
    }

    /// <summary>
    /// SGD's momentum buffer (PyTorch's convention): d on the first step, else μ·buf + (1 − dampening)·d, where d is the
    /// gradient with coupled L2 already added. Shared with <see cref="NormalizedSgdRule"/>, whose momentum is this one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec MomentumBuffer<TVec>(TVec buf, TVec d, TVec momentum, TVec oneMinusDampening, bool first) where TVec : struct, IFloatVector<TVec> =>
        first ? d : TVec.Fma(momentum, buf, oneMinusDampening * d);
}
