namespace FocusLab.Optim;

/// <summary>
/// An optimizer whose parameters hold a different point while training than the one to evaluate and
/// save (schedule-free methods: gradients are taken at y, the model to use is x). Call
/// <see cref="Eval"/> before evaluating or saving a model and <see cref="Train"/> before the next
/// training step; both are idempotent.
/// </summary>
public interface ITrainEvalSwitch
{
    /// <summary>True when the parameters hold the training point (the state after construction).</summary>
    bool IsTraining { get; }

    /// <summary>Puts the training point into the parameters (gradients are taken there).</summary>
    void Train();

    /// <summary>Puts the evaluation point into the parameters (evaluate and save the model there).</summary>
    void Eval();
}
