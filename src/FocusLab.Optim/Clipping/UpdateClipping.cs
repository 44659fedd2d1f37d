namespace FocusLab.Optim;

/// <summary>
/// Clips each coordinate's update to [−c·η, c·η] after the optimizer's step (|Δθ|/η ≤ c), a guard
/// against the rare huge per-coordinate updates that precede loss spikes. Costs one copy of θ.
/// </summary>
public sealed class UpdateClipping(double limit) : IStepTransform
{
    /// <summary>The per-group hyperparameter <c>update_clip</c>: c &gt; 0, the largest |Δθ|/η allowed per coordinate (default 1).</summary>
    public static readonly Hyperparameter Limit =
        Hyperparameter.Real("update_clip", 1, 0, double.PositiveInfinity, false, true, "largest |Δθ|/η per coordinate");

    private float[][] _before = [];

    /// <summary>Validates c, sets <c>update_clip</c> on every group and allocates the copy of θ.</summary>
    public void Attach(Optimizer optimizer)
    {
        Limit.Validate(limit, optimizer.Id);
        foreach (var g in optimizer.Groups) g.Define(Limit, limit);
        _before = optimizer.Parameters.Select(p => new float[p.Length]).ToArray();
    }

    /// <summary>Remembers the group's θ before its update.</summary>
    public void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        for (int k = 0; k < group.Parameters.Count; k++) // index loops: no boxed enumerator per step
        {
            var p = group.Parameters[k];
            p.DataSpan.CopyTo(_before[optimizer.IndexOf(p)]);
        }
    }

    /// <summary>Clips each coordinate's update to [−c·η, c·η] with the group's current η (after any schedule).</summary>
    public void AfterGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        float c = (float)(group.Get("update_clip") * group.Lr);
        for (int k = 0; k < group.Parameters.Count; k++)
        {
            var p = group.Parameters[k];
            var now = p.DataSpan; var before = _before[optimizer.IndexOf(p)];
            for (int i = 0; i < now.Length; i++)
            {
                float d = now[i] - before[i];
                if (d > c) now[i] = before[i] + c;
                else if (d < -c) now[i] = before[i] - c;
            }
        }
    }

}
