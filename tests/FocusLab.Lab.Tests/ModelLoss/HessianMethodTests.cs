using FocusLab.Engine.Models;
using FocusLab.Lab.Diagnostics;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Tests.ModelLoss;

/// <summary>The adapters' three Hessian-vector methods agree: exact float32 (default), exact float64, and
/// the finite-difference float64 reference (which shares no tangent code with the exact ones).</summary>
public class HessianMethodTests
{
    private static double RelativeError(float[] expected, float[] actual)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++) { num += Math.Pow(expected[i] - actual[i], 2); den += Math.Pow(expected[i], 2); }
        return Math.Sqrt(num / den);
    }

    private static (float[] Exact32, float[] Exact64, float[] Fd64) AllThree(EngineModelLoss loss, int seed)
    {
        Assert.Equal(HessianMethod.ExactFloat32, loss.HessianMethod);
        var v = TinyModels.RandomVector(loss.Layout.Count, seed);
        var r = new float[3][];
        foreach (var (method, i) in new[] { (HessianMethod.ExactFloat32, 0), (HessianMethod.ExactFloat64, 1), (HessianMethod.FiniteDifferenceFloat64, 2) })
        {
            loss.HessianMethod = method;
            r[i] = new float[v.Length];
            loss.HessianVectorProduct(v, r[i]);
        }
        loss.HessianMethod = HessianMethod.ExactFloat32;
        return (r[0], r[1], r[2]);
    }

    [Fact]
    public void GptMethodsAgree()
    {
        var (model, loss, _, _) = TinyModels.Gpt(seed: 9);
        var before = model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        var (e32, e64, fd) = AllThree(loss, 4);
        Assert.True(RelativeError(fd, e64) < 1e-6, $"exact float64 vs finite differences {RelativeError(fd, e64):E2}");
        Assert.True(RelativeError(e64, e32) < 1e-4, $"exact float32 vs float64 {RelativeError(e64, e32):E2}");
        Assert.Equal(before, model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray());
        Assert.All(model.Parameters, p => Assert.All(p.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void MlpMethodsAgreeAndRunningStatisticsStay()
    {
        var (model, loss, _, _) = TinyModels.Mlp(seed: 8, batch: 16);
        var stats = model.State.SelectMany(s => s.Span.ToArray()).ToArray();
        var (e32, e64, fd) = AllThree(loss, 5);
        Assert.True(RelativeError(fd, e64) < 1e-6, $"exact float64 vs finite differences {RelativeError(fd, e64):E2}");
        Assert.True(RelativeError(e64, e32) < 1e-4, $"exact float32 vs float64 {RelativeError(e64, e32):E2}");
        Assert.Equal(stats, model.State.SelectMany(s => s.Span.ToArray()).ToArray());
    }

    [Fact]
    public void ModelObjectiveUsesTheExactProductOfTheModel()
    {
        var (_, loss, _, _) = TinyModels.Gpt(seed: 10);
        var objective = new ModelObjective(loss);
        Assert.True(objective.HasExactHessian);
        var x = objective.CheckpointPoint();
        var v = TinyModels.RandomVector(x.Length, 6).Select(f => (double)f).ToArray();
        var viaObjective = new double[x.Length];
        objective.HessianVectorProduct(x, v, viaObjective);
        var direct = new float[x.Length];
        loss.HessianVectorProduct(v.Select(d => (float)d).ToArray(), direct);
        Assert.Equal(direct.Select(f => (double)f).ToArray(), viaObjective);
    }
}
