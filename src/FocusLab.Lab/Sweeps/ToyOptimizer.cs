using System.Globalization;
using FocusLab.Optim;

namespace FocusLab.Lab.Sweeps;

/// <summary>
/// One optimizer of the toy sweeps: any FocusLab.Optim factory spec whose step is one per-coordinate
/// rule, or one group-reducing rule whose group is the whole toy run (normalized_sgd, adasgd, blockwise_adam,
/// adam_mini, adafactor with relative_step=false: a toy run's θ is one tensor, so its norm, mean g² or RMS(U) is a per-run
/// statistic; docs/equations.md#toy-optimizers),
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

    // Not one update rule over a toy run: muon orthogonalizes a matrix (a toy run is a vector).
    private static readonly string[] Unsupported = ["muon"];

    /// <summary>The paper's toy adam.</summary>
    public static ToyOptimizer Adam { get; } = Parse("adam");
    /// <summary>The paper's toy signum.</summary>
    public static ToyOptimizer Signum { get; } = Parse("signum");
    /// <summary>The paper's toy focus.</summary>
    public static ToyOptimizer Focus { get; } = Parse("focus");
    /// <summary>The paper's three, in the order of the figures.</summary>
    public static IReadOnlyList<ToyOptimizer> All { get; } = [Adam, Signum, Focus];

    /// <summary>Ids the sweep engine runs (any settings of them).</summary>
    public static IReadOnlyList<string> SupportedIds => [.. OptimizerFactory.Ids.Except(Unsupported)];

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
                throw new ArgumentException($"'{spec}': {key} is a transform the sweep engine does not run; remove it (the engine runs {string.Join(", ", SupportedIds)}).");
        if (Unsupported.Contains(id))
            throw new ArgumentException($"'{spec}': {id} is not an update rule over one toy run; the sweep engine runs {string.Join(", ", SupportedIds)}.");
        var (baseId, merged) = ToyDefaults.TryGetValue(id, out var defaults) ? OptimizerFactory.Parse(defaults) : (id, new Dictionary<string, string>());
        foreach (var (k, v) in settings) merged[k] = v;
        string full = merged.Count == 0 ? baseId : baseId + ":" + string.Join(",", merged.Select(kv => kv.Key + "=" + kv.Value));
        var toy = new ToyOptimizer(spec, full);
        CheckRunnable(spec, toy.Create(1e-3, 0)); // validates every value now, with the factory's message
        return toy;
    }

    /// <summary>Refuses, in one line naming the fix, an optimizer built from <paramref name="spec"/> that the sweep engine cannot run although its id is supported.</summary>
    internal static void CheckRunnable(string spec, Optimizer optimizer)
    {
        if (optimizer is Adafactor { IsVectorRuleWithLearningRate: false })
            throw new ArgumentException($"'{spec}': adafactor's relative step takes its step size from RMS(θ) and ignores the learning rate the sweep varies; use adafactor:relative_step=false.");
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

    /// <summary>The optimizer over one parameter holding a toy run's coordinates.</summary>
    public Optimizer Create(double lr, double weightDecay, Parameter? parameter = null) =>
        OptimizerFactory.Create(OptimSpec(lr, weightDecay), [parameter ?? new Parameter("theta", [0f])]);
}
