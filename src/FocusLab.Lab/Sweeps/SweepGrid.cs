using System.Text.Json.Serialization;
using FocusLab.Lab.Landscapes;

namespace FocusLab.Lab.Sweeps;

public enum ValleyKind { Valley2D, ValleyND }

/// <summary>The phase-diagram x axis: valley sharpness a (wd fixed) or weight decay wd (a fixed).</summary>
public enum PhaseAxis { Sharpness, WeightDecay }

/// <summary>
/// A phase-diagram sweep (FOCUS fig. 2a/2b): optimizers × learning rates × σ (y) × x × replicates,
/// each run <see cref="Steps"/> steps on the narrowing valley from θ₀ ~ N(0, InitStd²).
/// The flat run index is ((o·nLr + l)·nY + y)·nX + x)·R + r, the C order of the result tensor
/// [optimizer, lr, sigma, x, replicate]; a "point-replicate" p = (y·nX + x)·R + r keys the random numbers.
/// </summary>
public sealed record SweepGrid
{
    public ValleyKind Landscape { get; init; } = ValleyKind.Valley2D;
    /// <summary>Number of parameters (2 for valley2d, default 100 for valleynd).</summary>
    public int Dimension { get; init; } = 2;
    public double C { get; init; } = 0.1;
    /// <summary>Rotation of the valley frame in radians. valley2d: default π/6. valleynd: null = a Haar-random rotation.</summary>
    public double? Angle { get; init; }
    public NoiseKind Noise { get; init; } = NoiseKind.Multiplicative;
    public PhaseAxis Vary { get; init; } = PhaseAxis.Sharpness;
    public required double[] XValues { get; init; }
    public required double[] SigmaValues { get; init; }
    public double FixedA { get; init; } = 10;
    public double FixedWeightDecay { get; init; } = 0.1;
    public required ToyOptimizer[] Optimizers { get; init; }
    public required double[] LearningRates { get; init; }
    public int Replicates { get; init; } = 50;
    public int Steps { get; init; } = 1000;
    public ulong Seed { get; init; } = 0;
    public double InitStd { get; init; } = 1e-4;

    [JsonIgnore] public int NX => XValues.Length;
    [JsonIgnore] public int NY => SigmaValues.Length;
    [JsonIgnore] public int NOpt => Optimizers.Length;
    [JsonIgnore] public int NLr => LearningRates.Length;
    [JsonIgnore] public long PointReplicates => (long)NX * NY * Replicates;
    [JsonIgnore] public long Runs => (long)NOpt * NLr * PointReplicates;
    [JsonIgnore] public double TotalSteps => (double)Runs * Steps;
    [JsonIgnore] public string XName => Vary == PhaseAxis.Sharpness ? "a" : "weight_decay";
    public double SharpnessAt(int x) => Vary == PhaseAxis.Sharpness ? XValues[x] : FixedA;
    public double WeightDecayAt(int x) => Vary == PhaseAxis.WeightDecay ? XValues[x] : FixedWeightDecay;
    /// <summary>Normal pairs drawn per run and step (Box–Muller gives two).</summary>
    [JsonIgnore] public int PairsPerStep => (Dimension + 1) / 2;

    /// <summary>Unit vector of the valley axis u in parameter coordinates.</summary>
    public double[] ValleyAxis()
    {
        if (Landscape == ValleyKind.Valley2D)
        {
            double phi = Angle ?? NarrowingValley2D.DefaultAngle;
            return [Math.Cos(phi), Math.Sin(phi)];
        }
        return BuildValleyND(FixedA).Axis;
    }

    /// <summary>The n-dimensional landscape of this grid at sharpness a (frame from the seed).</summary>
    public NarrowingValleyND BuildValleyND(double a) => Angle is { } angle
        ? NarrowingValleyND.Tilted(Dimension, angle, Seed, a, C)
        : NarrowingValleyND.RandomlyRotated(Dimension, Seed, a, C);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and how to fix it.</summary>
    public void Validate()
    {
        void Need(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Need(NX >= 1, "the x axis needs at least one value");
        Need(NY >= 1, "the sigma axis needs at least one value (--sigma-points ≥ 1)");
        Need(NOpt >= 1, "need at least one optimizer (--optimizers adam,signum,focus)");
        Need(Optimizers.Select(o => o.Id).Distinct().Count() == NOpt, "optimizer ids must be distinct");
        Need(NLr >= 1, "need at least one learning rate (--lr-points ≥ 1)");
        Need(LearningRates.All(l => l > 0 && double.IsFinite(l)), "learning rates must be positive and finite");
        Need(SigmaValues.All(s => s >= 0 && double.IsFinite(s)), "noise levels sigma must be ≥ 0 and finite");
        Need(Replicates >= 1, "--replicates must be ≥ 1");
        Need(Steps >= 1, "--steps must be ≥ 1");
        Need(InitStd >= 0 && double.IsFinite(InitStd), "the initial standard deviation must be ≥ 0");
        Need(double.IsFinite(C), "c must be finite");
        Need(Angle is null || double.IsFinite(Angle.Value), "--angle must be a finite number of radians");
        if (Landscape == ValleyKind.Valley2D) Need(Dimension == 2, "valley2d has dimension 2");
        else Need(Dimension >= 2 && Dimension <= 4096, "--dim must be between 2 and 4096 for valleynd");
        for (int x = 0; x < NX; x++)
        {
            double a = SharpnessAt(x), wd = WeightDecayAt(x);
            Need(a > 0 && double.IsFinite(a), $"sharpness a must be positive and finite (got {a})");
            Need(wd >= 0 && double.IsFinite(wd), $"weight decay must be ≥ 0 and finite (got {wd})");
        }
        // Counter-based RNG: key = point-replicate (32 bits), counter = step·pairs + pair (32 bits).
        Need(PointReplicates <= uint.MaxValue, $"the grid has {PointReplicates} point-replicates; at most 2^32 fit the random-number key; reduce --x-points, --sigma-points or --replicates");
        Need((double)(Steps + 1) * PairsPerStep <= uint.MaxValue, "steps × dimension too large for the 32-bit random-number counter; reduce --steps");
    }

    public static double[] Linspace(double start, double stop, int n) =>
        n == 1 ? [start] : Enumerable.Range(0, n).Select(i => start + (stop - start) * i / (n - 1)).ToArray();

    public static double[] Logspace(double startExp, double stopExp, int n) =>
        Linspace(startExp, stopExp, n).Select(e => Math.Pow(10, e)).ToArray();
}
