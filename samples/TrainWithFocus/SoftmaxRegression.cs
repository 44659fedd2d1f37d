using FocusLab.Optim;

/// <summary>
/// Softmax regression p = softmax(W x + b) with the mean cross-entropy loss, its gradient written
/// out by hand: ∂L/∂z_c = (p_c − [c = y]) / B for each row, so ∂L/∂W = Σ ∂L/∂z ⊗ x and ∂L/∂b = Σ ∂L/∂z.
/// </summary>
sealed class SoftmaxRegression(Parameter weight, Parameter bias)
{
    private readonly double[] _logits = new double[bias.Length];

    /// <summary>
    /// The mean cross-entropy over <paramref name="rows"/>, in double. With
    /// <paramref name="computeGradient"/> it also overwrites the parameters' gradient buffers.
    /// </summary>
    public double Loss(SyntheticData data, ReadOnlySpan<int> rows, bool computeGradient)
    {
        int classes = bias.Length, features = data.Features;
        var w = weight.DataSpan; var b = bias.DataSpan;
        var gw = weight.GradSpan; var gb = bias.GradSpan;
        if (computeGradient) { gw.Clear(); gb.Clear(); }
        double total = 0, perRow = 1.0 / rows.Length;
        foreach (int r in rows)
        {
            var x = data.Row(r);
            int y = data.Labels[r];
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double z = b[c];
                var wc = w.Slice(c * features, features);
                for (int j = 0; j < features; j++) z += (double)wc[j] * x[j];
                _logits[c] = z;
                max = Math.Max(max, z);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(_logits[c] - max);
            total += Math.Log(sum) - (_logits[y] - max);   // −log p_y, without overflow
            if (!computeGradient) continue;
            for (int c = 0; c < classes; c++)
            {
                double dz = (Math.Exp(_logits[c] - max) / sum - (c == y ? 1 : 0)) * perRow;
                gb[c] += (float)dz;
                var gwc = gw.Slice(c * features, features);
                for (int j = 0; j < features; j++) gwc[j] += (float)(dz * x[j]);
            }
        }
        return total * perRow;
    }

    /// <summary>
    /// Compares the gradient of <see cref="Loss"/> on the first <paramref name="rows"/> samples with
    /// central differences at every bias and a few random weights; returns the largest relative error.
    /// </summary>
    public double GradientCheck(SyntheticData data, int rows, Random rng)
    {
        int[] subset = Enumerable.Range(0, rows).ToArray();
        Loss(data, subset, computeGradient: true);
        var checks = new List<(Parameter P, int Index)>();
        for (int c = 0; c < bias.Length; c++) checks.Add((bias, c));
        for (int k = 0; k < 10; k++) checks.Add((weight, rng.Next(weight.Length)));
        double worst = 0;
        foreach (var (p, i) in checks)
        {
            double analytic = p.GradSpan[i];
            float saved = p.DataSpan[i];
            // Step in float32 (the parameters' type), dividing by the step actually taken.
            float up = saved + 1e-2f, down = saved - 1e-2f;
            p.DataSpan[i] = up; double lossUp = Loss(data, subset, computeGradient: false);
            p.DataSpan[i] = down; double lossDown = Loss(data, subset, computeGradient: false);
            p.DataSpan[i] = saved;
            double numeric = (lossUp - lossDown) / ((double)up - down);
            worst = Math.Max(worst, Math.Abs(analytic - numeric) / Math.Max(1e-3, Math.Abs(numeric)));
        }
        return worst;
    }
}
