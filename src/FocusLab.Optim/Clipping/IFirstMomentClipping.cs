namespace FocusLab.Optim;

/// <summary>
/// An adaptive optimizer that can feed a clipped gradient to its first moment while its second
/// moment keeps the unclipped one: Pan &amp; Li's rule for clipping adam and adafactor (docs/equations.md#clip_fraction).
/// </summary>
public interface IFirstMomentClipping
{
    /// <summary>Writes the gradient this optimizer's moments would see for <paramref name="p"/> (after any coupled L2 term).</summary>
    void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination);

    /// <summary>Sets the clipping threshold τ of the group's first-moment gradient for the next step (+∞ turns it off).</summary>
    void SetFirstMomentThreshold(ParameterGroup group, float tau);
}
