namespace FocusLab.Optim;

/// <summary>
/// Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_): scales every gradient by
/// min(1, maxNorm/‖g‖₂) with ‖g‖₂ over all parameters, and returns the norm before clipping.
/// </summary>
public static class GlobalNormClipping
{
    /// <summary>The L2 norm of all gradients, accumulated in double in parameter order (deterministic).</summary>
    public static double Norm(IEnumerable<Parameter> parameters)
    {
        var list = parameters as IReadOnlyList<Parameter> ?? parameters.ToArray();
        double s = 0;
        for (int k = 0; k < list.Count; k++) s += Reductions.SumOfSquares(list[k].GradSpan);
        return Math.Sqrt(s);
    }

    /// <summary>Clips in place and returns the pre-clip norm. With <paramref name="errorIfNonFinite"/> a NaN/Inf norm throws instead of silently scaling.</summary>
    public static double Clip(IEnumerable<Parameter> parameters, double maxNorm, bool errorIfNonFinite = false)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be > 0.");
        var list = parameters as IReadOnlyList<Parameter> ?? parameters.ToArray();
        double norm = Norm(list);
        if (!double.IsFinite(norm))
        {
            if (errorIfNonFinite) throw new ArithmeticException($"The global gradient norm is {norm}; a gradient contains NaN or Inf.");
            return norm;
        }
        if (norm > maxNorm)
        {
            float scale = (float)(maxNorm / (norm + 1e-6));
            for (int k = 0; k < list.Count; k++) System.Numerics.Tensors.TensorPrimitives.Multiply(list[k].GradSpan, scale, list[k].GradSpan);
        }
        return norm;
    }
}

/// <summary>Global-norm clipping as a step transform, for use in a chain; <see cref="LastNorm"/> is the norm of the last step.</summary>
public sealed class GlobalNormClippingTransform(double maxNorm, bool errorIfNonFinite = false) : IStepTransform
{
    /// <summary>The global gradient norm ‖g‖₂ before clipping, measured at the last step.</summary>
    public double LastNorm { get; private set; }

    /// <summary>Refuses a max_norm that is not &gt; 0.</summary>
    public void Attach(Optimizer optimizer)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max_norm must be > 0.");
    }

    /// <summary>Before the first group of each step, clips all gradients of the optimizer to the global norm (one norm across every group).</summary>
    public void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        // The norm spans all groups, so it is computed once, before the first group.
        if (group.Index == 0) LastNorm = GlobalNormClipping.Clip(optimizer.Parameters, maxNorm, errorIfNonFinite);
    }

    /// <summary>Nothing: the clipping acts on gradients, before the update.</summary>
    public void AfterGroup(Optimizer optimizer, ParameterGroup group, long t) { }
}
