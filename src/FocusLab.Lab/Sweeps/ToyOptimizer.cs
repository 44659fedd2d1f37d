using System.Globalization;

namespace FocusLab.Lab.Sweeps;

public enum ToyOptimizerKind { Adam, Signum, Focus }

/// <summary>
/// One optimizer of the toy sweeps (docs/equations.md#toy-optimizers). Every variant decays toward the pre-step θ
/// inside the step: θ ← θ − η·(update + wd·θ).
/// <list type="bullet">
/// <item>adam: bias-corrected m̂/(√v̂ + eps), β (0.9, 0.999), eps 1e-8.</item>
/// <item>signum: sign(m), m ← β1 m + (1−β1) g, β1 0.9.</item>
/// <item>focus: sign(m) + γ·sign(θ − θ̂), θ̄ ← β2 θ̄ + (1−β2) θ, θ̂ = θ̄/(1−β2^t), β (0.9, 0.9), γ 0.2
/// (Liu, Liu & Gore 2025, Algorithm 1).</item>
/// </list>
/// </summary>
public sealed record ToyOptimizer(string Id, ToyOptimizerKind Kind, double Beta1, double Beta2 = 0, double Gamma = 0, double Eps = 0)
{
    public static ToyOptimizer Adam { get; } = new("adam", ToyOptimizerKind.Adam, 0.9, 0.999, Eps: 1e-8);
    public static ToyOptimizer Signum { get; } = new("signum", ToyOptimizerKind.Signum, 0.9);
    public static ToyOptimizer Focus { get; } = new("focus", ToyOptimizerKind.Focus, 0.9, 0.9, Gamma: 0.2);
    public static IReadOnlyList<ToyOptimizer> All { get; } = [Adam, Signum, Focus];

    public static ToyOptimizer Parse(string id) => id.Trim().ToLowerInvariant() switch
    {
        "adam" => Adam,
        "signum" => Signum,
        "focus" => Focus,
        _ => throw new ArgumentException($"unknown toy optimizer '{id}'; choose from adam, signum, focus"),
    };

    /// <summary>The same optimizer as a FocusLab.Optim factory spec (docs/equations.md#toy-optimizers).</summary>
    public string OptimSpec(double lr, double weightDecay)
    {
        string f(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return Kind switch
        {
            ToyOptimizerKind.Adam => $"adamw:lr={f(lr)},beta1={f(Beta1)},beta2={f(Beta2)},eps={f(Eps)},weight_decay={f(weightDecay)}",
            ToyOptimizerKind.Signum => $"signum:lr={f(lr)},beta1={f(Beta1)},weight_decay={f(weightDecay)}",
            _ => $"focus:lr={f(lr)},beta1={f(Beta1)},beta2={f(Beta2)},gamma={f(Gamma)},weight_decay={f(weightDecay)},decay=after,decay_target=theta",
        };
    }
}
