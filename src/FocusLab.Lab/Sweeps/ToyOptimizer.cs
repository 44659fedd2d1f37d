using System.Globalization;
using FocusLab.Optim;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// One optimizer of the toy sweeps: any FocusLab.Optim factory spec whose step is one per-coordinate
/// rule, or one group-reducing rule whose group is the whole toy run (normalized_sgd, adasgd, blockwise_adam,
/// adam_mini, adafactor, muon: a toy run's θ is one tensor, so its norm, mean g², RMS(U) or RMS(θ) is a per-run
/// statistic; muon takes θ as one 1×d matrix, whose Newton–Schulz orthogonalisation is a per-run scalar; docs/equations.md#toy-optimizers),
/// optionally with top-k clipping (<c>clip_fraction</c>, τ per run: of the gradient for a non-adaptive optimizer, of the first moment's
/// gradient for an adaptive one, <see cref="IFirstMomentClipping"/>: adam, adam_clip, adasgd, …). The sweep supplies the learning rate and the weight decay
/// (the optimizer's own weight_decay: decoupled for adamw, signum, focus, lion, s3…, coupled L2 for adam,
/// sgd, nadam, rmsprop). The paper's three keep the toy settings of FOCUS fig. 2 as their defaults,
/// overridable in the spec (e.g. <c>focus:gamma=0.4</c>):
/// <list type="bullet">
/// <item>adam: adamw with β (0.9, 0.999), eps 1e-8 (the toy runs decay θ directly).</item>
/// <item>signum: β1 0.9.</item>
/// <item>focus: β (0.9, 0.9), γ 0.2, decay after the sign step toward the pre-step θ (Liu, Liu &amp; Gore 2025, Algorithm 1).</item>
/// </list>
/// </summary>
/// <param name="Id">The spec as given (what outputs and figures show).</param>
/// <param name="Spec">The factory spec with the toy defaults filled in, without lr and weight_decay.</param>
public sealed record ToyOptimizer(string Id, string Spec)
{
    // Declared before Adam, Signum and Focus: static initializers run in text order.
    private static readonly Dictionary<string, string> ToyDefaults = new(StringComparer.Ordinal)
    {
        ["adam"] = "adamw:beta1=0.9,beta2=0.999,eps=1e-8",
        ["signum"] = "signum:beta1=0.9",
        ["focus"] = "focus:beta1=0.9,beta2=0.9,gamma=0.2,decay=after,decay_target=theta",
    };

    /// <summary>The paper's toy adam.</summary>
    public static ToyOptimizer Adam { get; } = Parse("adam");
    /// <summary>The paper's toy signum.</summary>
    public static ToyOptimizer Signum { get; } = Parse("signum");
    /// <summary>The paper's toy focus.</summary>
    public static ToyOptimizer Focus { get; } = Parse("focus");
    /// <summary>The paper's three, in the order of the figures.</summary>
    public static IReadOnlyList<ToyOptimizer> All { get; } = [Adam, Signum, Focus];

    /// <summary>Parses a factory spec such as <c>focus:gamma=0.4</c>; refuses specs the sweep cannot run, naming what it can.</summary>
    public static ToyOptimizer Parse(string spec)
    {
        spec = spec.Trim();
        var (id, settings) = OptimizerFactory.Parse(spec);
        foreach (var key in new[] { "lr", "weight_decay" })
            if (settings.ContainsKey(key))
                throw new ArgumentException($"'{spec}': the sweep sets {key} itself (learning-rate grid, weight-decay axis); remove {key}= from the spec.");
        foreach (var key in new[] { "update_clip", "update_clip_fraction", "cautious" })
            if (settings.ContainsKey(key))
                throw new ArgumentException($"'{spec}': {key} is a transform the sweep engine does not run; remove it (the engine runs every optimizer's update rule, with top-k clipping).");
        if (id == "muon" && settings.ContainsKey(Muon.AuxiliaryKey))
            throw new ArgumentException($"'{spec}': a toy run's θ is one 1×d matrix that muon steps whole, so {Muon.AuxiliaryKey}= would step nothing; remove it.");
        var (baseId, merged) = ToyDefaults.TryGetValue(id, out var defaults) ? OptimizerFactory.Parse(defaults) : (id, new Dictionary<string, string>());
        foreach (var (k, v) in settings) merged[k] = v;
        string full = merged.Count == 0 ? baseId : baseId + ":" + string.Join(",", merged.Select(kv => kv.Key + "=" + kv.Value));
        var toy = new ToyOptimizer(spec, full);
        SweepEngine.CheckRunnable(toy); // validates every value now, with the factory's message, and what the engine cannot run
        return toy;
    }

    /// <summary>
    /// Parses a comma-separated list of specs, e.g. <c>adam,signum,focus:gamma=0.4,beta2=0.99,s3</c>: a part
    /// holding '=' but no ':' is one more setting of the spec before it (ids never contain '=').
    /// </summary>
    public static ToyOptimizer[] ParseList(string list)
    {
        var specs = new List<string>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Contains('=') && !part.Contains(':'))
            {
                if (specs.Count == 0) throw new ArgumentException($"'{list}' starts with the setting '{part}'; write the optimizer id first (e.g. focus:{part}).");
                specs[^1] += "," + part;
            }
            else specs.Add(part);
        }
        return specs.Select(Parse).ToArray();
    }

    /// <summary>The id for file names and CSV columns: every character other than a letter, digit, '.' or '-' becomes '_' (<c>focus:gamma=0.4</c> → <c>focus_gamma_0.4</c>).</summary>
    public string Slug => string.Concat(Id.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' ? ch : '_'));

    /// <summary>The canonical factory id (adamw for the toy adam).</summary>
    public string OptimizerId => OptimizerFactory.Parse(Spec).Id;

    /// <summary>A hyperparameter's value (the spec's, else the optimizer's default), e.g. <c>beta1</c>.</summary>
    public double Get(string name) => Create(1e-3, 0).Groups[0].Get(name);

    /// <summary>The same optimizer as a FocusLab.Optim factory spec with learning rate and weight decay (docs/equations.md#toy-optimizers).</summary>
    public string OptimSpec(double lr, double weightDecay)
    {
        string f(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return Spec + (Spec.Contains(':') ? "," : ":") + $"lr={f(lr)},weight_decay={f(weightDecay)}";
    }

    /// <summary>
    /// Whether the optimizer's step size ignores the learning rate (adafactor's default relative step, α = max(ε2, RMS(θ))·min(1e-2, 1/√t)):
    /// every column of the sweep's learning-rate grid is then the same run.
    /// </summary>
    public bool IgnoresLearningRate => Create(1e-3, 0).Groups[0] is var g && g.Has("relative_step") && g.GetFlag("relative_step");

    /// <summary>
    /// The optimizer over one parameter holding a toy run's coordinates. Muon steps matrices only (the library refuses
    /// use_muon=true on a rank-1 tensor), so for muon the coordinates are viewed as one 1×d matrix sharing the parameter's buffers.
    /// </summary>
    public Optimizer Create(double lr, double weightDecay, Parameter? parameter = null)
    {
        parameter ??= new Parameter("theta", [0f]);
        if (OptimizerId == "muon" && parameter.Shape.Length == 1)
            parameter = new Parameter(parameter.Name, [1, parameter.Length], parameter.Data, parameter.Grad);
        return OptimizerFactory.Create(OptimSpec(lr, weightDecay), [parameter]);
    }
}
