using FocusLab.Optim;

namespace FocusLab.Engine.Nn;

/// <summary>
/// Exposes float32 model parameters as <see cref="Parameter"/> objects of FocusLab.Optim. The
/// objects share the model's value and gradient buffers (no copies), and the same object is returned
/// every time, so optimizers keyed on parameters keep their state.
/// </summary>
public static class OptimParameters
{
    /// <summary>The FocusLab.Optim parameter over this tensor's value and gradient buffers (no copy; the same object on every call).</summary>
    public static Parameter AsOptimParameter(this ParameterTensor<float> p) =>
        p.OptimView ??= new Parameter(p.Name, p.Shape, p.Value.Data.AsMemory(0, p.Length), p.Grad.Data.AsMemory(0, p.Length));

    /// <summary>All parameters of the model, in model order.</summary>
    public static IReadOnlyList<Parameter> OptimParameterList(this Module<float> model) =>
        model.Parameters.Select(AsOptimParameter).ToList();

    /// <summary>
    /// Two groups for decoupled weight decay: matrices and embeddings get <paramref name="weightDecay"/>;
    /// biases and normalisation parameters get 0 (the FOCUS MLP and nanoGPT convention).
    /// </summary>
    public static IReadOnlyList<ParameterGroupSpec> WeightDecayGroups(this Module<float> model, double weightDecay) =>
    [
        new ParameterGroupSpec(model.Parameters.Where(p => p.WeightDecay).Select(AsOptimParameter), ("weight_decay", weightDecay)),
        new ParameterGroupSpec(model.Parameters.Where(p => !p.WeightDecay).Select(AsOptimParameter), ("weight_decay", 0.0)),
    ];
}
