namespace FocusLab.Optim;

/// <summary>
/// The Cautious mask (Liang et al. 2024, "Cautious Optimizers"): after the inner step, keep only the
/// coordinates whose update descends along the current gradient (Δθ_i·g_i &lt; 0) and rescale the kept
/// ones by 1/mean(mask) per tensor, so the update's overall size is preserved. Works with any
/// optimizer (the update includes its weight-decay term); costs one copy of θ.
/// </summary>
public sealed class CautiousMask : IStepTransform
{
    private float[][] _before = [];

    /// <summary>Allocates the copy of θ the mask compares against and adds the per-group flag <c>cautious</c> (on).</summary>
    public void Attach(Optimizer optimizer)
    {
        _before = optimizer.Parameters.Select(p => new float[p.Length]).ToArray();
        foreach (var g in optimizer.Groups) g.Define(Hyperparameter.Flag("cautious", true, "mask update coordinates that oppose the gradient"), 1);
    }

    /// <summary>Remembers the group's θ before its update.</summary>
    public void BeforeGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        for (int k = 0; k < group.Parameters.Count; k++) group.Parameters[k].DataSpan.CopyTo(_before[optimizer.IndexOf(group.Parameters[k])]);
    }

    /// <summary>
    /// Where the group's flag <c>cautious</c> is on, undoes every coordinate whose update Δθ_i does not
    /// descend along g_i and scales the kept coordinates of each tensor by n/(kept + 1).
    /// </summary>
    public void AfterGroup(Optimizer optimizer, ParameterGroup group, long t)
    {
        if (!group.GetFlag("cautious")) return;
        for (int k = 0; k < group.Parameters.Count; k++)
        {
            var p = group.Parameters[k];
            var now = p.DataSpan; var g = p.GradSpan; var before = _before[optimizer.IndexOf(p)];
            int kept = 0;
            for (int i = 0; i < now.Length; i++) if ((now[i] - before[i]) * g[i] < 0) kept++;
            float scale = (float)(now.Length / (kept + 1.0));
            for (int i = 0; i < now.Length; i++)
            {
                float d = now[i] - before[i];
                now[i] = d * g[i] < 0 ? before[i] + d * scale : before[i];
            }
        }
    }

}
