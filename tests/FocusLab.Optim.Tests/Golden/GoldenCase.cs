using System.Text.Json;

namespace FocusLab.Optim.Tests.Golden;

/// <summary>One tensor of a golden case: its name, row-major shape and parameter group.</summary>
internal sealed record GoldenTensor(string Name, int[] Shape, int Group)
{
    public int Length => Shape.Aggregate(1, (a, d) => a * d);
}

/// <summary>
/// A golden optimizer trajectory (Golden/vectors/README.md §2): starting parameters, the gradient of
/// every step, and the float64 reference parameters after every step with their compare masks.
/// </summary>
internal sealed class GoldenCase
{
    public required string File { get; init; }
    public required string Name { get; init; }
    public required string Optimizer { get; init; }
    public required IReadOnlyDictionary<string, JsonElement> Hyper { get; init; }
    public required IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Groups { get; init; }
    public required GoldenTensor[] Tensors { get; init; }
    public required double[] LrPerStep { get; init; }
    public required double Rtol { get; init; }
    public required double Atol { get; init; }
    /// <summary>The file's count of masked (step, coordinate) pairs, checked against the masks; −1 when the file omits it.</summary>
    public required int Excluded { get; init; }
    public required double[][] Params0 { get; init; }
    /// <summary>[step][tensor][coordinate].</summary>
    public required double[][][] Grads { get; init; }
    public required double[][][] Expected { get; init; }
    public required byte[][][] Compare { get; init; }
    /// <summary>Adafactor's relative step α per [tensor][step], when the file records it.</summary>
    public double[][]? AlphaPerStep { get; init; }

    /// <summary>Sophia's Gauss–Newton–Bartlett gradient per step: null, or [tensor][coordinate] to fold into the Hessian estimate right after that step.</summary>
    public double[][]?[]? HessianGrads { get; init; }
    /// <summary>Schedule-free methods: the evaluation point x after the last step, per tensor.</summary>
    public double[][]? XFinal { get; init; }

    public int Steps => LrPerStep.Length;

    public static GoldenCase Load(string path)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var root = doc.RootElement;
        int version = root.GetProperty("format_version").GetInt32();
        if (version != 1) throw new InvalidDataException($"{path}: format_version {version} is not supported (expected 1).");

        var tensors = root.GetProperty("tensors").EnumerateArray()
            .Select(t => new GoldenTensor(
                t.GetProperty("name").GetString()!,
                t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                t.GetProperty("group").GetInt32()))
            .ToArray();
        var c = new GoldenCase
        {
            File = Path.GetFileName(path),
            Name = root.GetProperty("name").GetString()!,
            Optimizer = root.GetProperty("optimizer").GetString()!,
            Hyper = Object(root.GetProperty("hyper")),
            Groups = root.GetProperty("groups").EnumerateArray().Select(Object).ToArray(),
            Tensors = tensors,
            LrPerStep = Vector(root.GetProperty("lr_per_step")),
            Rtol = root.GetProperty("rtol").GetDouble(),
            Atol = root.GetProperty("atol").GetDouble(),
            Excluded = root.TryGetProperty("excluded", out var ex) ? ex.GetInt32() : -1,
            Params0 = Matrix(root.GetProperty("params0")),
            Grads = root.GetProperty("grads").EnumerateArray().Select(Matrix).ToArray(),
            Expected = root.GetProperty("expected").EnumerateArray().Select(Matrix).ToArray(),
            Compare = root.GetProperty("compare").EnumerateArray()
                .Select(s => s.EnumerateArray().Select(k => k.EnumerateArray().Select(x => (byte)x.GetInt32()).ToArray()).ToArray()).ToArray(),
            AlphaPerStep = root.TryGetProperty("diagnostics", out var diag) && diag.ValueKind == JsonValueKind.Object
                           && diag.TryGetProperty("alpha_per_step", out var alpha) ? Matrix(alpha) : null,
            XFinal = diag.ValueKind == JsonValueKind.Object && diag.TryGetProperty("x_final", out var xFinal) ? Matrix(xFinal) : null,
            HessianGrads = root.TryGetProperty("hessian_grads", out var hg)
                ? hg.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.Null ? null : Matrix(s)).ToArray()
                : null,
        };
        c.CheckConsistency();
        return c;
    }

    /// <summary>Refuses a file whose arrays do not agree with its shapes and step count, so a malformed file cannot pass silently.</summary>
    private void CheckConsistency()
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new InvalidDataException($"{File}: {what}");
        }
        int k = Tensors.Length;
        Require(k > 0, "no tensors");
        Require(Steps > 0, "lr_per_step is empty");
        Require(Params0.Length == k, $"params0 has {Params0.Length} tensors, tensors lists {k}");
        Require(Grads.Length == Steps && Expected.Length == Steps && Compare.Length == Steps,
            $"grads/expected/compare have {Grads.Length}/{Expected.Length}/{Compare.Length} steps, lr_per_step {Steps}");
        for (int j = 0; j < k; j++)
        {
            int n = Tensors[j].Length;
            Require(Params0[j].Length == n, $"params0[{j}] has {Params0[j].Length} values, shape holds {n}");
            Require(Tensors[j].Group >= 0 && Tensors[j].Group < Groups.Count, $"tensor {Tensors[j].Name} names group {Tensors[j].Group} of {Groups.Count}");
            for (int t = 0; t < Steps; t++)
                Require(Grads[t][j].Length == n && Expected[t][j].Length == n && Compare[t][j].Length == n,
                    $"step {t + 1}, tensor {Tensors[j].Name}: array lengths differ from the shape's {n}");
        }
        if (XFinal is { } x)
        {
            Require(x.Length == k, $"diagnostics.x_final has {x.Length} tensors, tensors lists {k}");
            for (int j = 0; j < k; j++) Require(x[j].Length == Tensors[j].Length, $"diagnostics.x_final[{j}] has {x[j].Length} values, shape holds {Tensors[j].Length}");
        }
        if (HessianGrads is { } h)
        {
            Require(h.Length == Steps, $"hessian_grads has {h.Length} steps, lr_per_step {Steps}");
            for (int t = 0; t < Steps; t++)
            {
                if (h[t] is not { } estimate) continue;
                Require(estimate.Length == k, $"hessian_grads of step {t + 1} has {estimate.Length} tensors, tensors lists {k}");
                for (int j = 0; j < k; j++) Require(estimate[j].Length == Tensors[j].Length, $"hessian_grads of step {t + 1}, tensor {Tensors[j].Name}: {estimate[j].Length} values, shape holds {Tensors[j].Length}");
            }
        }
        int zeros = Compare.Sum(s => s.Sum(x => x.Count(b => b == 0)));
        Require(Excluded < 0 || zeros == Excluded, $"compare masks exclude {zeros} coordinates but 'excluded' says {Excluded}");
    }

    private static IReadOnlyDictionary<string, JsonElement> Object(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);

    private static double[] Vector(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(Vector).ToArray();
}
