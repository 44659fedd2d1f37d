namespace FocusLab.Optim;

/// <summary>
/// A composable piece run around each parameter group's update, as optax chains transformations:
/// gradient clipping before the update, update clipping after it.
/// </summary>
public interface IStepTransform
{
    /// <summary>Called once when added: define hyperparameters on the groups, allocate scratch buffers.</summary>
    void Attach(Optimizer optimizer);

    /// <summary>
    /// Runs just before <paramref name="group"/>'s update at step <paramref name="t"/> (1-based): the place
    /// to clip or rewrite the gradients the update will read, or to remember θ before it moves.
    /// </summary>
    void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t);

    /// <summary>
    /// Runs just after <paramref name="group"/>'s update at step <paramref name="t"/>, in the reverse
    /// order of the transforms: the place to clip or mask the update θ_new − θ_old.
    /// </summary>
    void AfterGroup(Optimizer optimizer, ParameterGroup group, long t);
}
