using FocusLab.Lab.Sweeps;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// The FocusLab.Optim optimizer a toy run is compared with, built from the toy's factory spec over the caller's parameter.
/// Muon is built on its own terms, not through <see cref="ToyOptimizer.Create"/>: the run's d coordinates as a [1, d] matrix
/// with use_muon=true (the library refuses use_muon on a rank-1 tensor), sharing the parameter's buffers.
/// </summary>
internal static class LibraryOptimizer
{
    public static Optimizer Create(ToyOptimizer toy, double lr, double weightDecay, Parameter p)
    {
        if (toy.OptimizerId != "muon") return toy.Create(lr, weightDecay, p);
        var matrix = new Parameter(p.Name, [1, p.Length], p.Data, p.Grad);
        return OptimizerFactory.Create(toy.OptimSpec(lr, weightDecay), [new ParameterGroupSpec([matrix], (Muon.UseMuonKey, true))]);
    }
}
