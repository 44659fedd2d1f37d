namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// A classifier bound to a fixed batch of B samples with K classes whose logits z (B×K) can be
/// differentiated in reverse mode: what <see cref="GaussNewtonSmoothness"/> needs. The parameters are
/// whatever the implementation holds at the time of the call; neither method may change them.
/// </summary>
public interface IClassifierJacobian
{
    /// <summary>B, the number of samples in the batch.</summary>
    int Samples { get; }

    /// <summary>K, the number of classes (logits per sample).</summary>
    int Classes { get; }

    /// <summary>d, the number of parameters.</summary>
    int Dimension { get; }

    /// <summary>Writes the logits [B, K] (row-major) at the current parameters.</summary>
    void Logits(Span<double> logits);

    /// <summary>
    /// One reverse pass: <paramref name="result"/> = Σ_{b,k} seed[b,k]·∂z_{b,k}/∂θ (a vector-Jacobian product,
    /// seed of length B·K, result of length d).
    /// </summary>
    void VectorJacobianProduct(ReadOnlySpan<double> seed, Span<float> result);
}
