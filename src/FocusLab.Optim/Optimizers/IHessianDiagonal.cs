namespace FocusLab.Optim;

/// <summary>
/// An optimizer that keeps a diagonal Hessian estimate refreshed by a separate pass: the training loop
/// writes a special gradient into the parameters' gradient buffers (for Sophia the Gauss–Newton–Bartlett
/// gradient: the loss on labels sampled from the model's own predictions) and calls
/// <see cref="UpdateHessian"/>, typically every k steps after <see cref="Optimizer.Step"/>.
/// </summary>
public interface IHessianDiagonal
{
    /// <summary>Folds the gradient buffers' current contents into the Hessian estimate (h ← β2 h + (1−β2) ĝ²).</summary>
    void UpdateHessian();

    /// <summary>How many Hessian updates have been applied (saved with the state).</summary>
    long HessianUpdates { get; }
}
