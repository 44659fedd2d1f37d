using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Nn;

namespace FocusLab.Lab.Training;

/// <summary>
/// A model together with its data stream: what the <see cref="Trainer"/> needs to know about one
/// kind of training (image classification with the MLP, next-token prediction with the GPT).
/// Everything random that a task owns (batch order, dropout) must be captured by
/// <see cref="SamplerState"/> and <see cref="RngState"/>, so that a resumed run is bit-identical.
/// </summary>
public interface ITrainingTask
{
    /// <summary>"mlp" or "gpt" (stored in checkpoints and checked on resume).</summary>
    string Kind { get; }

    Module<float> Model { get; }

    /// <summary>Samples (MLP) or tokens (GPT) consumed by one step, for the throughput figure.</summary>
    int ItemsPerStep { get; }

    /// <summary>"samples" or "tokens".</summary>
    string ItemName { get; }

    /// <summary>Draws the next training batch and records the mean loss on <paramref name="tape"/> (model in training mode).</summary>
    Variable<float> NextLoss(Tape<float> tape);

    /// <summary>
    /// The Gauss–Newton–Bartlett loss on the batch of the last <see cref="NextLoss"/> (model in training
    /// mode, running statistics left unchanged): mean cross-entropy against labels sampled from the
    /// model's own softmax with <paramref name="seed"/> (<see cref="FocusLab.Engine.Models.GaussNewtonBartlett"/>).
    /// Its gradient feeds Sophia's Hessian estimate.
    /// </summary>
    Variable<float> SampledLabelLoss(Tape<float> tape, ulong seed);

    /// <summary>Held-out loss (and accuracy) in evaluation mode; leaves the model in training mode.</summary>
    Evaluation Evaluate();

    byte[] SamplerState();

    void RestoreSampler(byte[] state);

    /// <summary>State of any other random stream (e.g. the GPT's dropout pass counter).</summary>
    byte[] RngState();

    void RestoreRng(byte[] state);

    /// <summary>A JSON-friendly description of the model and data (stored in checkpoint metadata).</summary>
    IReadOnlyDictionary<string, string> Describe();
}

/// <summary>Mean held-out cross-entropy and top-1 accuracy (next-token accuracy for the GPT).</summary>
public readonly record struct Evaluation(double Loss, double Accuracy);
