namespace FocusLab.Lab.Sweeps;

/// <summary>
/// Grids of `focuslab phase`. "paper" is FOCUS fig. 2a/2b (docs/equations.md#phase-diagrams): 96 x values × 100 noise
/// levels σ ∈ [0, 3], 20 learning rates logspace(−3, 0), 50 replicates, 1000 steps. "quick" is a
/// reduced grid with the same ranges for a look in seconds.
/// </summary>
public static class PhasePresets
{
    public static readonly string[] Names = ["quick", "paper"];

    public static SweepGrid Build(string preset, PhaseAxis vary, ValleyKind landscape)
    {
        bool paper = preset switch
        {
            "paper" => true,
            "quick" => false,
            _ => throw new ArgumentException($"unknown preset '{preset}'; use quick or paper"),
        };
        bool nd = landscape == ValleyKind.ValleyND;
        int nx = paper ? 96 : nd ? 12 : 48, ny = paper ? 100 : nd ? 13 : 46;
        return new SweepGrid
        {
            Landscape = landscape,
            Dimension = nd ? 100 : 2,
            Angle = nd ? null : Landscapes.NarrowingValley2D.DefaultAngle,
            Vary = vary,
            XValues = vary == PhaseAxis.Sharpness ? SweepGrid.Logspace(-1, 3, nx) : SweepGrid.Linspace(0, 0.5, nx),
            SigmaValues = SweepGrid.Linspace(0, 3, ny),
            FixedA = 10,
            FixedWeightDecay = 0.1,
            Optimizers = [.. ToyOptimizer.All],
            LearningRates = SweepGrid.Logspace(-3, 0, paper ? 20 : nd ? 7 : 10),
            Replicates = paper ? 50 : nd ? 4 : 10,
            Steps = 1000,
        };
    }
}
