namespace FocusLab.Optim;

/// <summary>
/// Per-step statistics of r_i = |Δθ_i|/η over all coordinates: their mean, their max and the fraction
/// above 1. Sign methods give r = 1 (plus decay terms); adam's r is bounded by about 7.27 at
/// β = (0.9, 0.999) and s3's by 1 with one shared β (docs/equations.md#update-statistics; S3 paper, Theorems 1-2). Large max
/// values precede loss spikes.
/// </summary>
public readonly record struct UpdateStatistics(double Mean, double Max, double FractionAboveOne, long Count);

/// <summary>Copies θ before the step and compares after it.</summary>
internal sealed class UpdateStatisticsTracker
{
    private readonly Parameter[] _parameters;
    private readonly float[][] _before;

    public UpdateStatisticsTracker(Parameter[] parameters)
    {
        _parameters = parameters;
        _before = parameters.Select(p => new float[p.Length]).ToArray();
    }

    public UpdateStatistics Last { get; private set; }

    public void Before()
    {
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].DataSpan.CopyTo(_before[i]);
    }

    public void After(IReadOnlyList<ParameterGroup> groups)
    {
        double sum = 0, max = 0;
        long above = 0, count = 0;
        int k = 0;
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            double lr = g.Has("lr") ? g.Lr : 1;
            double inv = lr > 0 ? 1 / lr : 0;
            for (int pi = 0; pi < g.Parameters.Count; pi++)
            {
                var now = g.Parameters[pi].DataSpan;
                var before = _before[k++];
                for (int i = 0; i < now.Length; i++)
                {
                    double r = Math.Abs((double)now[i] - before[i]) * inv;
                    sum += r;
                    if (r > max) max = r;
                    if (r > 1) above++;
                }
                count += now.Length;
            }
        }
        Last = new UpdateStatistics(count == 0 ? 0 : sum / count, max, count == 0 ? 0 : (double)above / count, count);
    }
}
