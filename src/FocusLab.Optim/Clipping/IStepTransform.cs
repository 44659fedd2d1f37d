namespace FocusLab.Optim;

/// <summary>
/// A composable piece run around each parameter group's update, as optax chains transformations:
/// gradient clipping before the update, update clipping after it.
/// </summary>
public interface IStepTransform
{
    /// <summary>Called once when added: define hyperparameters on the groups, allocate scratch buffers.</summary>
    void Attach(Optimizer optimizer);

    void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t);

    void AfterGroup(Optimizer optimizer, ParameterGroup group, long t);
}
