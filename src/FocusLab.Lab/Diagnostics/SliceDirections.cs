namespace FocusLab.Lab.Diagnostics;

/// <summary>How 1-D tensors (biases, norm gains) are treated by filter-wise normalisation.</summary>
internal enum VectorTensorHandling
{
    /// <summary>Normalise the whole tensor as one filter.</summary>
    NormaliseWhole,
    /// <summary>Zero the direction on them (Li et al.'s "ignore biases and BN").</summary>
    Zero,
}

/// <summary>
/// Directions for landscape slices: seeded Gaussian directions and the filter-wise normalisation of
/// Li et al. 2018 ("Visualizing the loss landscape of neural nets", eq. 1): each filter d_{i,j} of the
/// direction is rescaled to ‖d_{i,j}‖/‖d_{i,j}‖·‖θ_{i,j}‖, so slices of differently scaled layers compare.
/// </summary>
internal static class SliceDirections
{
    /// <summary>A seeded standard Gaussian direction of length d.</summary>
    public static double[] Gaussian(int dimension, int seed)
    {
        Check.AtLeast(dimension, 1, nameof(dimension));
        var v = new double[dimension];
        new SeededRandom(seed).FillGaussian(v);
        return v;
    }

    /// <summary>Returns a filter-wise normalised copy of <paramref name="direction"/> relative to the point <paramref name="theta"/>.</summary>
    public static double[] FilterNormalised(ReadOnlySpan<double> direction, ReadOnlySpan<double> theta, TensorLayout layout, VectorTensorHandling vectors = VectorTensorHandling.NormaliseWhole)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Check.Length(layout.Count, direction.Length, "Direction", nameof(direction));
        Check.Length(layout.Count, theta.Length, "Point theta", nameof(theta));
        var result = direction.ToArray();
        foreach (var t in layout.Tensors)
        {
            if (t.Shape.Length <= 1 && vectors == VectorTensorHandling.Zero)
            {
                result.AsSpan(t.Offset, t.Count).Clear();
                continue;
            }
            int filters = t.FilterCount, size = t.Count / filters;
            for (int f = 0; f < filters; f++)
            {
                int o = t.Offset + f * size;
                var seg = result.AsSpan(o, size);
                double dn = Vec.Norm(seg), tn = Vec.Norm(theta.Slice(o, size));
                if (dn == 0) continue;
                Vec.Scale(seg, tn / dn);
            }
        }
        return result;
    }
}

/// <summary>A 1-D slice: losses at x + α·d for each α.</summary>
public sealed record Slice1D(double[] Alphas, double[] Losses);

/// <summary>A 2-D slice: Losses[i, j] = L(x + α_i d₁ + β_j d₂), stored row-major (i over alphas).</summary>
public sealed record Slice2D(double[] Alphas, double[] Betas, double[] Losses)
{
    public double this[int i, int j] => Losses[i * Betas.Length + j];
}

/// <summary>Loss landscape slices through a point. Directions are used as given (normalise them first if wanted); x is never modified.</summary>
internal static class LandscapeSlice
{
    /// <summary>Evenly spaced coordinates from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public static double[] Grid(double from, double to, int points)
    {
        Check.AtLeast(points, 2, nameof(points));
        if (!(to > from)) throw new ArgumentException($"Grid range [{from}, {to}] is empty; 'to' must exceed 'from'.", nameof(to));
        return Enumerable.Range(0, points).Select(i => from + (to - from) * i / (points - 1)).ToArray();
    }

    public static Slice1D OneDimensional(IObjective objective, ReadOnlySpan<double> x, ReadOnlySpan<double> direction, double[] alphas)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(alphas);
        int d = objective.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        Check.Length(d, direction.Length, "Direction", nameof(direction));
        var probe = new double[d];
        var losses = new double[alphas.Length];
        for (int i = 0; i < alphas.Length; i++)
        {
            Vec.AddScaled(x, alphas[i], direction, probe);
            losses[i] = objective.Loss(probe);
        }
        return new((double[])alphas.Clone(), losses);
    }

    public static Slice2D TwoDimensional(IObjective objective, ReadOnlySpan<double> x, ReadOnlySpan<double> d1, ReadOnlySpan<double> d2, double[] alphas, double[] betas)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(alphas);
        ArgumentNullException.ThrowIfNull(betas);
        int d = objective.Dimension;
        Check.Length(d, x.Length, "Point x", nameof(x));
        Check.Length(d, d1.Length, "Direction d1", nameof(d1));
        Check.Length(d, d2.Length, "Direction d2", nameof(d2));
        var row = new double[d];
        var probe = new double[d];
        var losses = new double[alphas.Length * betas.Length];
        for (int i = 0; i < alphas.Length; i++)
        {
            Vec.AddScaled(x, alphas[i], d1, row);
            for (int j = 0; j < betas.Length; j++)
            {
                Vec.AddScaled(row, betas[j], d2, probe);
                losses[i * betas.Length + j] = objective.Loss(probe);
            }
        }
        return new((double[])alphas.Clone(), (double[])betas.Clone(), losses);
    }
}
