using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// RMSprop (Hinton) with PyTorch semantics: coupled L2, v = α v + (1−α) g², no bias correction,
/// optional centering (subtracts the squared mean gradient) and momentum buf = μ buf + g/(√v + eps).
/// </summary>
public sealed class RmsProp : RuleOptimizer<RmsPropRule>
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

    private readonly bool _hasAverage, _hasBuffer;

    /// <summary>RMSprop over the groups; allocates the squared-gradient average, plus the mean gradient when centered and the momentum buffer when momentum &gt; 0 (4 bytes per coordinate each).</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public RmsProp(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("rmsprop", Defaults, groups, settings)
    {
        var v = Parameters.Select(p => NewState(p, "square_avg")).ToArray();
        // Optional buffers exist only when some group asks for them, so plain RMSprop keeps 4 bytes per parameter.
        _hasAverage = Groups.Any(g => g.GetFlag("centered"));
        _hasBuffer = Groups.Any(g => g.Get("momentum") > 0);
        var average = _hasAverage ? Parameters.Select(p => NewState(p, "grad_avg")).ToArray() : Parameters.Select(_ => (float[]?)null).ToArray();
        var buffer = _hasBuffer ? Parameters.Select(p => NewState(p, "momentum_buffer")).ToArray() : Parameters.Select(_ => (float[]?)null).ToArray();
        UseStates(v, average!, buffer!);
    }

    /// <summary>Reads alpha, eps, momentum and centering of the group for this step; refuses centering or momentum switched on after construction (their buffers do not exist).</summary>
    protected override RmsPropRule CreateRule(ParameterGroup g, long t)
    {
        double a = g.Get("alpha"), mu = g.Get("momentum");
        bool centered = g.GetFlag("centered");
        if (centered && !_hasAverage || mu > 0 && !_hasBuffer)
            throw new InvalidOperationException("rmsprop: centered or momentum was switched on after construction; set it in the spec so its state buffer exists.");
        return new((float)a, (float)(1 - a), (float)g.Get("eps"), (float)mu, centered);
    }
}

/// <summary>
/// RMSprop's step: g ← g + wd θ; v ← α v + (1−α) g²; centered: ḡ ← α ḡ + (1−α) g and d = √(v − ḡ²) + eps, else √v + eps;
/// with momentum buf ← μ buf + g/d and θ ← θ − η buf, else θ ← θ − η g/d. States s0 = v, s1 = ḡ, s2 = buf.
/// </summary>
/// <param name="Alpha">α.</param>
/// <param name="OneMinusAlpha">1 − α.</param>
/// <param name="Eps">eps.</param>
/// <param name="Momentum">μ (0: none).</param>
/// <param name="Centered">Whether to subtract the squared mean gradient.</param>
public readonly record struct RmsPropRule(float Alpha, float OneMinusAlpha, float Eps, float Momentum, bool Centered) : IUpdateRule
{
    private const int A = 0, Ca = 1, EpsV = 2, Mu = 3, Lr = 4, Wd = 5;

    /// <inheritdoc/>
    public static int StateCount => 3;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[A] = TVec.Create(Alpha); c[Ca] = TVec.Create(OneMinusAlpha); c[EpsV] = TVec.Create(Eps); c[Mu] = TVec.Create(Momentum);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Lr] = lr; c[Wd] = weightDecay;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec v, ref TVec average, ref TVec buffer, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        g = TVec.Fma(c[Wd], theta, g);
        v = TVec.Fma(c[A], v, c[Ca] * (g * g));
        TVec denominator;
        if (Centered)
        {
            average = TVec.Fma(c[A], average, c[Ca] * g);
            denominator = TVec.Sqrt(TVec.Fma(-average, average, v)) + c[EpsV];
        }
        else denominator = TVec.Sqrt(v) + c[EpsV];
        if (Momentum > 0)
        {
            buffer = TVec.Fma(c[Mu], buffer, g / denominator);
            theta -= c[Lr] * buffer;
        }
        else theta -= c[Lr] * g / denominator;
    }
}
