using FocusLab.Optim;

namespace FocusLab.Lab.Diagnostics;

/// <summary>The trajectory of a training run on an <see cref="IObjective"/>: losses before each step and after the last, and the final point.</summary>
internal sealed record TrainingRun(double[] Losses, double[] FinalPoint, bool Diverged)
{
    public double FinalLoss => Losses[^1];
}

/// <summary>
/// Trains a flat float32 parameter vector on any objective with any FocusLab.Optim optimizer (full-batch,
/// exact gradients): the small-problem runs of the rotation study and of the diagnostics' tests.
/// </summary>
internal static class ObjectiveTraining
{
    /// <param name="divergenceFactor">Stop and flag divergence when the loss is non-finite or exceeds this multiple of |L(x₀)| + 1.</param>
    public static TrainingRun Run(IObjective objective, ReadOnlySpan<double> start, string optimizerSpec, int steps, TensorLayout? layout = null, double divergenceFactor = 1e8)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentException.ThrowIfNullOrWhiteSpace(optimizerSpec);
        Check.AtLeast(steps, 0, nameof(steps));
        int d = objective.Dimension;
        Check.Length(d, start.Length, "Start point", nameof(start));
        layout ??= TensorLayout.Flat(d);
        if (layout.Count != d) throw new ArgumentException($"The layout holds {layout.Count} parameters but the objective has {d}.", nameof(layout));

        var data = new float[d];
        var grad = new float[d];
        for (int i = 0; i < d; i++) data[i] = (float)start[i];
        var parameters = layout.Tensors.Select(t => new Parameter(t.Name, t.Shape, data.AsMemory(t.Offset, t.Count), grad.AsMemory(t.Offset, t.Count))).ToArray();
        var optimizer = OptimizerFactory.Create(optimizerSpec, parameters);
        optimizer.Threads = 1;

        var x = new double[d];
        var g = new double[d];
        var losses = new List<double>(steps + 1);
        double limit = double.NaN;
        bool diverged = false;
        for (int t = 0; ; t++)
        {
            for (int i = 0; i < d; i++) x[i] = data[i];
            double loss = objective.Gradient(x, g);
            losses.Add(loss);
            if (t == 0) limit = divergenceFactor * (Math.Abs(loss) + 1);
            if (!double.IsFinite(loss) || loss > limit) { diverged = true; break; }
            if (t == steps) break;
            for (int i = 0; i < d; i++) grad[i] = (float)g[i];
            optimizer.Step();
        }
        return new([.. losses], x, diverged);
    }
}
