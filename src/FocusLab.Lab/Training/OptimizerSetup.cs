using System.Globalization;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Nn;
using FocusLab.Optim;

namespace FocusLab.Lab.Training;

/// <summary>Builds an optimizer over a model with the usual weight-decay split.</summary>
internal static class OptimizerSetup
{
    /// <summary>
    /// Creates the optimizer of <paramref name="spec"/> over <paramref name="model"/>'s parameters in two
    /// groups: weight matrices and embeddings get the spec's weight_decay (or the optimizer's default),
    /// biases and normalisation gains get 0 — the FOCUS MLP and nanoGPT convention. Optimizers without a
    /// weight_decay hyperparameter get one group.
    /// </summary>
    /// <remarks>
    /// muon gets <see cref="OptimParameters.MuonGroups"/>: the weight matrices go to muon, embeddings and
    /// the output head to its <c>aux=</c> optimizer with that optimizer's own weight decay, biases and norms
    /// to it with none. Muon's products run on the engine's GEMM (<see cref="GemmMatrixMultiply"/>).
    /// </remarks>
    public static Optimizer Create(string spec, Module<float> model)
    {
        var (id, settings) = OptimizerFactory.Parse(spec);
        GemmMatrixMultiply.Install();
        string schemaId = id switch { "sgd_clip" => "sgd", "adam_clip" => "adam", _ => id };
        var decay = OptimizerFactory.SchemaOf(schemaId).FirstOrDefault(h => h.Name == "weight_decay");
        if (decay is null) return OptimizerFactory.Create(spec, model.OptimParameterList());
        double wd = settings.TryGetValue("weight_decay", out var text)
            ? decay.Validate(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), id)
            : decay.Default;
        var groups = id == "muon" ? model.MuonGroups(wd) : model.WeightDecayGroups(wd).Where(g => g.Parameters.Count > 0).ToList();
        return OptimizerFactory.Create(spec, groups);
    }
}
