using FocusLab.Engine.Nn;
using FocusLab.Lab.ModelLoss;

namespace FocusLab.Lab.Studies.Sharpness;

/// <summary>
/// A model being trained for the sharpness study: one minibatch gradient step at a time (written into the
/// model's gradient buffers) and the adapter that measures the model on a fixed batch. Each instance owns its
/// model and its seeded samplers, so a run is reproducible from the seed.
/// </summary>
public abstract class SharpnessTask
{
    /// <summary>The float32 model being trained.</summary>
    public abstract Module<float> Model { get; }

    /// <summary>Draws the next training minibatch, zeroes and fills the model's gradients, returns the loss.</summary>
    public abstract double ForwardBackward();

    /// <summary>The model on the study's fixed measurement batch (drawn once per seed from the training data).</summary>
    public abstract EngineModelLoss MeasurementLoss();

    /// <summary>
    /// The model as a classifier on the first <paramref name="samples"/> samples of the measurement batch, for the
    /// Gauss–Newton smoothness of Pan &amp; Li's appendix D; null when the model is not a per-sample classifier.
    /// </summary>
    public virtual Diagnostics.IClassifierJacobian? GaussNewtonBatch(int samples) => null;
}
