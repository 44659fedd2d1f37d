using System.Globalization;
using System.Text.Json;

namespace FocusLab.Optim.Tests.Golden;

/// <summary>Outcome of one golden case: the worst |diff|/(atol + rtol·|expected|) and where it occurred.</summary>
internal sealed record GoldenResult(string File, string Optimizer, double WorstRatio, string WorstAt, long Compared, int Excluded, string? Error, double WorstAlphaError = 0)
{
    public bool Passed => Error is null && WorstRatio <= 1;

    public override string ToString() => Error is not null
        ? $"{File,-26} {Optimizer,-10} ERROR {Error}"
        : $"{File,-26} {Optimizer,-10} worst ratio {WorstRatio:0.000e+00} at {WorstAt} ({Compared} compared, {Excluded} excluded)"
          + (WorstAlphaError > 0 ? $", alpha rel. err {WorstAlphaError:0.0e+00}" : "")
          + (Passed ? "" : "  FAIL");
}

/// <summary>
/// Runs a golden case exactly as Golden/vectors/README.md §1 describes: groups from tensors[k].group
/// (file order), hyperparameters from "hyper" overridden per group, the lr of every group set from
/// lr_per_step before each step, and a comparison of every unmasked coordinate after each step.
/// </summary>
internal static class GoldenRunner
{
    /// <summary>Relative tolerance for Adafactor's recorded relative step α (RMS of float32 versus float64 parameters).</summary>
    private const double AlphaRelativeTolerance = 1e-4;

    /// <summary>Runs every *.json file of <paramref name="dir"/>; a missing or empty folder is an error, never an empty pass.</summary>
    public static IReadOnlyList<GoldenResult> RunFolder(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Golden folder '{dir}' does not exist. Set {GoldenFolder.EnvironmentVariable} to a folder of golden *.json files, or unset it to use the repository's tests/FocusLab.Optim.Tests/Golden/vectors.");
        var files = Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"Golden folder '{dir}' holds no *.json file.");
        return files.Select(Run).ToArray();
    }

    public static GoldenResult Run(string path)
    {
        string file = System.IO.Path.GetFileName(path);
        GoldenCase c;
        try { c = GoldenCase.Load(path); }
        catch (Exception e) { return new GoldenResult(file, "?", double.PositiveInfinity, "-", 0, 0, $"cannot read the file: {e.Message}"); }
        try { return Run(c); }
        catch (Exception e) { return new GoldenResult(file, c.Optimizer, double.PositiveInfinity, "-", 0, c.Excluded, $"{e.GetType().Name}: {e.Message}"); }
    }

    public static GoldenResult Run(GoldenCase c)
    {
        if (!OptimizerFactory.Ids.Contains(c.Optimizer))
            throw new NotSupportedException($"unknown optimizer id '{c.Optimizer}' (the factory knows {string.Join(", ", OptimizerFactory.Ids)})");

        var parameters = c.Tensors.Select((t, k) => new Parameter(t.Name, t.Shape,
            c.Params0[k].Select(x => (float)x).ToArray(), new float[t.Length])).ToArray();
        var groups = Enumerable.Range(0, c.Groups.Count).Select(g => new ParameterGroupSpec(
            Enumerable.Range(0, c.Tensors.Length).Where(k => c.Tensors[k].Group == g).Select(k => parameters[k]).ToArray(),
            Settings(c.Groups[g]))).ToArray();
        var optimizer = OptimizerFactory.Create(Spec(c), groups);

        double worst = 0, worstAlpha = 0;
        string worstAt = "-";
        long compared = 0;
        for (int t = 0; t < c.Steps; t++)
        {
            foreach (var g in optimizer.Groups) g.Lr = c.LrPerStep[t];
            SetGradients(parameters, c.Grads[t]);
            optimizer.Step();
            if (c.HessianGrads?[t] is { } estimate)
            {
                // README: the listed gradient is folded into the Hessian estimate right after this step.
                var hessian = optimizer as IHessianDiagonal
                    ?? throw new NotSupportedException($"the case lists hessian_grads but {c.Optimizer} keeps no Hessian estimate");
                SetGradients(parameters, estimate);
                hessian.UpdateHessian();
            }
            for (int k = 0; k < parameters.Length; k++)
                Compare(parameters[k].DataSpan, c.Expected[t][k], c.Compare[t][k], $"step {t + 1} {c.Tensors[k].Name}");
            if (c.AlphaPerStep is { } alpha && optimizer is Adafactor ada)
            {
                for (int k = 0; k < parameters.Length; k++)
                {
                    double expected = alpha[k][t], actual = ada.LastAlpha[IndexOf(optimizer, parameters[k])];
                    worstAlpha = Math.Max(worstAlpha, Math.Abs(actual - expected) / expected);
                }
            }
        }
        if (c.XFinal is { } xFinal)
        {
            var modes = optimizer as ITrainEvalSwitch
                ?? throw new NotSupportedException($"the case lists diagnostics.x_final but {c.Optimizer} has no evaluation point");
            modes.Eval();
            for (int k = 0; k < parameters.Length; k++)
                Compare(parameters[k].DataSpan, xFinal[k], null, $"x_final {c.Tensors[k].Name}");
            modes.Train();
        }

        void Compare(ReadOnlySpan<float> data, double[] expected, byte[]? mask, string where)
        {
            for (int i = 0; i < data.Length; i++)
            {
                if (mask is not null && mask[i] == 0) continue;
                compared++;
                double e = expected[i], a = data[i];
                double ratio = double.IsFinite(a) ? Math.Abs(a - e) / (c.Atol + c.Rtol * Math.Abs(e)) : double.PositiveInfinity;
                if (!(ratio <= worst)) { worst = ratio; worstAt = $"{where}[{i}] (got {a:R}, expected {e:R})"; }
            }
        }
        string? error = worstAlpha > AlphaRelativeTolerance ? $"relative step alpha differs from diagnostics.alpha_per_step by {worstAlpha:0.0e+00} (relative)" : null;
        return new GoldenResult(c.File, c.Optimizer, worst, worstAt, compared, c.Excluded, error, worstAlpha);
    }

    private static void SetGradients(Parameter[] parameters, double[][] values)
    {
        for (int k = 0; k < parameters.Length; k++)
        {
            var grad = parameters[k].GradSpan;
            for (int i = 0; i < grad.Length; i++) grad[i] = (float)values[k][i];
        }
    }

    /// <summary>The factory spec <c>id:name=value,...</c> of the case's "hyper" (lr comes from lr_per_step).</summary>
    public static string Spec(GoldenCase c)
    {
        var settings = Settings(c.Hyper);
        settings.Remove("lr");
        return settings.Count == 0 ? c.Optimizer : c.Optimizer + ":" + string.Join(",", settings.Select(kv => kv.Key + "=" + kv.Value));
    }

    /// <summary>Canonical hyperparameters as factory text; null means "not applicable" and is skipped.</summary>
    private static Dictionary<string, string> Settings(IReadOnlyDictionary<string, JsonElement> values)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, v) in values)
        {
            if (v.ValueKind == JsonValueKind.Null) continue;
            if (name == "amsgrad")
            {
                // The library implements Adam without AMSGrad; the vectors only use amsgrad = false.
                if (v.ValueKind == JsonValueKind.False) continue;
                throw new NotSupportedException($"amsgrad = {v} is not implemented");
            }
            d[name] = v.ValueKind switch
            {
                JsonValueKind.Number => v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.String => v.GetString()!,
                _ => throw new NotSupportedException($"hyperparameter {name} has a value of JSON kind {v.ValueKind}"),
            };
        }
        return d;
    }

    private static int IndexOf(Optimizer o, Parameter p)
    {
        for (int i = 0; i < o.Parameters.Count; i++) if (ReferenceEquals(o.Parameters[i], p)) return i;
        throw new InvalidOperationException($"parameter {p.Name} is not in the optimizer");
    }
}
