using FocusLab.Engine.Nn;

namespace FocusLab.Engine.Training;

/// <summary>A model with its data: one training step's loss and gradient, evaluation, and the
/// resumable state of the data sampler and the model's random numbers.</summary>
public interface ITrainingTask
{
    Module<float> Model { get; }

    /// <summary>"tokens" or "samples": what <see cref="ItemsPerStep"/> counts.</summary>
    string ItemName { get; }

    int ItemsPerStep { get; }

    /// <summary>Draws the next batch, runs forward and backward (gradients accumulate into the
    /// model's parameters, which the caller zeroes) and returns the mean loss.</summary>
    double TrainStep();

    /// <summary>Mean loss and accuracy on held-out data, in evaluation mode.</summary>
    (double Loss, double Accuracy) Evaluate();

    byte[] SamplerState();

    void RestoreSampler(ReadOnlySpan<byte> state);

    byte[] RandomState();

    void RestoreRandom(ReadOnlySpan<byte> state);
}
