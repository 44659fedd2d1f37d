using System.Text.Json;
using FocusLab.Optim.Tests.Golden;
using Xunit.Abstractions;

namespace FocusLab.Optim.Tests.Reference;

/// <summary>
/// The float64 <see cref="ReferenceOptimizer"/> reproduces every golden file far inside its tolerance
/// (ratio ≤ 1e-3, where a float32 implementation reaches ~0.1), so agreeing with it on random cases
/// (<see cref="ReferenceAgreementTests"/>) means agreeing with the README's semantics.
/// </summary>
public sealed class ReferenceAgainstGoldenTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(GoldenFolder.CaseFiles), MemberType = typeof(GoldenFolder))]
    public void Reference_reproduces_the_golden_trajectory(string file)
    {
        var c = GoldenCase.Load(Path.Combine(GoldenFolder.Path, file));
        var hyper = new Dictionary<string, double>();
        string? decay = null;
        foreach (var (name, v) in c.Hyper)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.Number: hyper[name] = v.GetDouble(); break;
                case JsonValueKind.True: hyper[name] = 1; break;
                case JsonValueKind.False: hyper[name] = 0; break;
                case JsonValueKind.String when name == "decay": decay = v.GetString(); break;
                case JsonValueKind.String when name == "adjust_lr": hyper[name] = v.GetString() == "match_rms_adamw" ? 1 : 0; break;
            }
        }
        var groupOf = c.Tensors.Select(t => t.Group).ToArray();
        var wd = c.Groups.Select(g => g["weight_decay"].GetDouble()).ToArray();
        var gradRms = Enumerable.Range(0, c.Tensors.Length).Select(k => Math.Sqrt(c.Grads.SelectMany(g => g[k]).Average(x => x * x))).ToArray();
        var reference = new ReferenceOptimizer(c.Optimizer, hyper, decay == "after", groupOf, wd, c.Tensors.Select(t => t.Shape).ToArray(), c.Params0, gradRms);
        double worst = 0;
        for (int t = 1; t <= c.Steps; t++)
        {
            reference.Step(t, c.LrPerStep[t - 1], c.Grads[t - 1]);
            if (c.HessianGrads?[t - 1] is { } estimate) reference.UpdateHessian(estimate);
            for (int k = 0; k < c.Tensors.Length; k++)
                for (int i = 0; i < c.Params0[k].Length; i++)
                {
                    if (c.Compare[t - 1][k][i] == 0) continue;
                    // A coordinate the reference's own rule finds ambiguous must be one the file excludes too.
                    Assert.False(reference.Excluded[k][i], $"step {t} {c.Tensors[k].Name}[{i}] is ambiguous for the reference but compared by the file");
                    double e = c.Expected[t - 1][k][i];
                    worst = Math.Max(worst, Math.Abs(reference.Theta[k][i] - e) / (c.Atol + c.Rtol * Math.Abs(e)));
                }
        }
        if (c.XFinal is { } xFinal)
            for (int k = 0; k < c.Tensors.Length; k++)
                for (int i = 0; i < xFinal[k].Length; i++)
                    worst = Math.Max(worst, Math.Abs(reference.EvaluationPoint[k][i] - xFinal[k][i]) / (c.Atol + c.Rtol * Math.Abs(xFinal[k][i])));
        output.WriteLine($"{file}: reference worst ratio {worst:0.0e+00}");
        Assert.True(worst <= 1e-3, $"{file}: reference worst ratio {worst}");
    }
}
