using FocusLab.Lab.Reports;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// The line-search plot of Pan &amp; Li for one checkpoint: the measurement-batch loss L(θ + t·u/‖u‖) against the
/// step size t, one line per pseudo-update direction (a clipped variant dashed, in its optimizer's colour).
/// x is logarithmic because every direction is searched at its own step scale (a bracketing search from its
/// quadratic-model step), so the brackets differ by orders of magnitude; t = 0 is the dotted line L(θ). Each
/// search's minimum is a black dot, or a red one when the loss still fell at the cap (minimum beyond it). The y
/// range stops at twice the largest reduction above L(θ): lines that climb further leave the plot through its top edge.
/// A direction along which the search found no descent (its step shrank to the floor, so its points would sit
/// orders of magnitude left of the others) is not drawn; the subtitle names it.
/// </summary>
internal static class SharpnessLineSearchFigure
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    /// <summary>File name of a checkpoint's plot: sharpness_{model}_linesearch_{trajectory}_s{seed}_step{step}.svg.</summary>
    public static string FileName(string model, SharpnessCheckpoint c) => $"sharpness_{model}_linesearch_{c.Trajectory}_s{c.Seed}_step{c.Step}.svg";

    public static string Render(string model, SharpnessCheckpoint c)
    {
        ArgumentNullException.ThrowIfNull(c);
        double start = c.MeasureLoss;
        double best = c.Rows.SelectMany(r => r.LineSearchLosses).Where(double.IsFinite).DefaultIfEmpty(start).Min();
        double margin = Math.Max(start - best, 1e-6 * Math.Max(1, Math.Abs(start)));
        var noDescent = c.Rows.Where(r => !r.LineSearchEnoughPointsBelowStart).Select(r => r.Optimizer).ToArray();
        var chart = new LineChart
        {
            Title = $"{model}: line search along u/‖u‖ ({c.Trajectory} trajectory, seed {c.Seed}, step {c.Step})",
            Subtitle = "measurement-batch loss; dotted: the loss at the checkpoint (t = 0)"
                + (noDescent.Length > 0 ? $"; no descent found along {string.Join(", ", noDescent)} (not drawn)" : ""),
            XLabel = "step size t along u/‖u‖", YLabel = "L(θ + t·u/‖u‖)", LogX = true,
            YMin = best - 0.05 * margin, YMax = start + margin, ReferenceY = start, Width = 820, Height = 460,
        };
        var bases = new List<string>();
        foreach (var row in c.Rows)
        {
            string family = Family(row.Optimizer);
            if (!bases.Contains(family)) bases.Add(family);
            if (!row.LineSearchEnoughPointsBelowStart) continue; // colours stay fixed per family whether or not a row is drawn
            var points = row.LineSearchSteps.Zip(row.LineSearchLosses).Where(p => p.First > 0).Select(p => (p.First, p.Second));
            chart.Add(row.Optimizer, points, Colors[bases.IndexOf(family) % Colors.Length], dashed: family != row.Optimizer, markers: false);
        }
        // Each search's minimum as a dot (a NaN between points keeps them unconnected); a minimum beyond the cap in red.
        foreach (var (capped, name, color) in new[] { (false, "bracketed minimum", "#000000"), (true, "capped (minimum beyond)", "#d40000") })
        {
            var minima = c.Rows.Where(r => r.LineSearchEnoughPointsBelowStart && r.LineSearchCapped == capped && r.BestStep > 0)
                .SelectMany(r => new[] { (r.BestStep, start - r.BestLossReduction), (double.NaN, double.NaN) }).ToArray();
            if (minima.Length > 0) chart.Add(name, minima, color, markers: true);
        }
        return chart.ToSvg();
    }

    /// <summary>The unclipped optimizer a direction belongs to: "adam_clip" and "adam_update_clip" → "adam".</summary>
    private static string Family(string name) => name.Replace("_update_clip", "", StringComparison.Ordinal).Replace("_clip", "", StringComparison.Ordinal);
}
