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
        p.OptimView ??= new Parameter(p.Name, p.Shape, p.Value.Data.AsMemory(0, p.Length), p.Grad.Data.AsMemory(0, p.Length)) { RowBlocks = p.RowBlocks };

    /// <summary>All parameters of the model, in model order.</summary>
    public static IReadOnlyList<Parameter> OptimParameterList(this Module<float> model) =>
        model.Parameters.Select(AsOptimParameter).ToList();

    /// <summary>
    /// Groups for muon (<see cref="Muon"/>): weight matrices with <paramref name="weightDecay"/> go to
    /// muon; embeddings and output heads (<see cref="ParameterTensor{T}.IsEmbeddingOrHead"/>) are marked
    /// <c>use_muon=false</c> and keep the auxiliary optimizer's own weight decay; biases and normalisation
    /// parameters go to the auxiliary optimizer with weight decay 0. Empty groups are left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroupSpec> MuonGroups(this Module<float> model, double weightDecay)
    {
        var matrices = model.Parameters.Where(p => p.WeightDecay && !p.IsEmbeddingOrHead).Select(AsOptimParameter).ToArray();
        var embeddings = model.Parameters.Where(p => p.IsEmbeddingOrHead).Select(AsOptimParameter).ToArray();
        var vectors = model.Parameters.Where(p => !p.WeightDecay && !p.IsEmbeddingOrHead).Select(AsOptimParameter).ToArray();
        var groups = new List<ParameterGroupSpec>();
        if (matrices.Length > 0) groups.Add(new ParameterGroupSpec(matrices, ("weight_decay", weightDecay)));
        if (embeddings.Length > 0) groups.Add(new ParameterGroupSpec(embeddings, (Muon.UseMuonKey, false)));
        if (vectors.Length > 0) groups.Add(new ParameterGroupSpec(vectors, ("weight_decay", 0.0)));
        return groups;
    }

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
