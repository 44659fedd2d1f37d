namespace FocusLab.Optim;

/// <summary>
/// Adafactor (Shazeer &amp; Stern 2018). For a matrix G (m×n; higher ranks fold trailing axes into
/// columns) the second moment is factored: R ← β̂ R + (1−β̂) rowsum(G² + ε1), C ← β̂ C + (1−β̂) colsum(G² + ε1),
/// V = R Cᵀ / ΣR, so state is O(m + n); vectors keep V unfactored. β̂_t = 1 − t^(−c).
/// U = G/√V, Û = U / max(1, RMS(U)/d), θ ← θ − α Û with α = max(ε2, RMS(θ_{t−1}))·min(1e-2, 1/√t)
/// (relative step) or α = lr. Optional momentum beta1 on Û and weight decay θ ← θ(1 − α wd).
/// With coordinate clipping the clipped gradient is used in U, the raw one in V (Pan &amp; Li).
/// </summary>
public sealed class Adafactor : Optimizer, IFirstMomentClipping
{
    /// <summary>The hyperparameters of <c>adafactor</c> with their defaults and valid ranges: lr 1e-2 (used only without relative_step), eps1 1e-30, eps2 1e-3, clip_threshold 1, decay_rate 0.8, relative_step true, beta1 0 (no momentum), weight_decay 0.</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-2),
        Hyperparameter.Real("eps1", 1e-30, 0, double.PositiveInfinity, description: "ε1 added to G² in the second moment"),
        Hyperparameter.Real("eps2", 1e-3, 0, double.PositiveInfinity, description: "ε2, the smallest parameter scale of the relative step"),
        Hyperparameter.Real("clip_threshold", 1, 0, double.PositiveInfinity, false, true, "update clipping threshold d"),
        Hyperparameter.Real("decay_rate", 0.8, 0, double.PositiveInfinity, false, true, "c in β̂_t = 1 − t^(−c)"),
        Hyperparameter.Flag("relative_step", true, "α from the parameter scale and 1/√t instead of lr"),
        Hyperparameter.Real("beta1", 0, 0, 1, true, false, "momentum on the clipped update (0: none)"),
        Hyperparameter.WeightDecay(0),
    ];

    private readonly float[]?[] _row, _col, _vec, _mom;
    private readonly float[] _tau;
    private readonly float[] _scratch; // the update of one tensor, reused every step

    /// <summary>α used for each parameter at the last step (for diagnostics and tests).</summary>
    public double[] LastAlpha { get; }

    /// <summary>Adafactor over the groups; allocates row and column second-moment factors for matrices (the full second moment for vectors), and the momentum on Û when beta1 &gt; 0 in the spec.</summary>
    /// <param name="groups">The parameter groups, each with optional hyperparameter overrides.</param>
    /// <param name="settings">Hyperparameter values for every group, as spec-string text by name (see <see cref="Defaults"/>); null keeps the defaults.</param>
    public Adafactor(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : base("adafactor", Defaults, groups, settings)
    {
        int n = Parameters.Count;
        _row = new float[n][]; _col = new float[n][]; _vec = new float[n][]; _mom = new float[n][];
        bool momentum = Groups.Any(g => g.Get("beta1") > 0);
        for (int k = 0; k < n; k++)
        {
            var p = Parameters[k];
            if (p.Shape.Length >= 2)
            {
                var (rows, cols) = p.MatrixView;
                _row[k] = NewState(p, "exp_avg_sq_row", rows);
                _col[k] = NewState(p, "exp_avg_sq_col", cols);
            }
            else _vec[k] = NewState(p, "exp_avg_sq");
            if (momentum) _mom[k] = NewState(p, "exp_avg");
        }
        int max = Parameters.Max(p => p.Length);
        _scratch = new float[max];
        _tau = Enumerable.Repeat(float.PositiveInfinity, Groups.Count).ToArray();
        LastAlpha = new double[n];
    }


    /// <summary>The whole Adafactor step of each tensor in the group: factored (or full) second moment, U = G/√V, RMS clipping, the relative or fixed step size α, optional momentum and weight decay.</summary>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        double c = g.Get("decay_rate"), eps1 = g.Get("eps1"), eps2 = g.Get("eps2"), d = g.Get("clip_threshold");
        double b1 = g.Get("beta1"), wd = g.Get("weight_decay");
        if (b1 > 0 && _mom[IndexOf(g.Parameters[0])] is null)
            throw new InvalidOperationException("adafactor: beta1 was switched on after construction; set it in the spec so the momentum buffer exists.");
        bool relative = g.GetFlag("relative_step");
        double bhat = 1 - Math.Pow(t, -c);
        float tau = _tau[g.Index];
        for (int gp = 0; gp < g.Parameters.Count; gp++) // index loop: no boxed enumerator per step
        {
            var p = g.Parameters[gp];
            int k = IndexOf(p);
            var theta = p.DataSpan; var grad = p.GradSpan;
            var u = _scratch.AsSpan(0, p.Length);
            if (_row[k] is { } row)
            {
                var col = _col[k]!;
                var (rows, cols) = p.MatrixView;
                // Row and column sums of G² + ε1, accumulated in double.
                double sumR = 0;
                for (int r = 0; r < rows; r++)
                {
                    double s = 0;
                    for (int j = 0; j < cols; j++) { double x = grad[r * cols + j]; s += x * x + eps1; }
                    row[r] = (float)(bhat * row[r] + (1 - bhat) * s);
                    sumR += row[r];
                }
                for (int j = 0; j < cols; j++)
                {
                    double s = 0;
                    for (int r = 0; r < rows; r++) { double x = grad[r * cols + j]; s += x * x + eps1; }
                    col[j] = (float)(bhat * col[j] + (1 - bhat) * s);
                }
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < cols; j++)
                    {
                        int i = r * cols + j;
                        double v = (double)row[r] * col[j] / sumR;
                        u[i] = (float)(Clamp(grad[i], tau) / Math.Sqrt(v));
                    }
            }
            else
            {
                var vec = _vec[k]!;
                for (int i = 0; i < p.Length; i++)
                {
                    double x = grad[i];
                    vec[i] = (float)(bhat * vec[i] + (1 - bhat) * (x * x + eps1));
                    u[i] = (float)(Clamp(grad[i], tau) / Math.Sqrt(vec[i]));
                }
            }
            double rmsU = Math.Sqrt(Reductions.SumOfSquares(u) / Math.Max(1, p.Length));
            double scale = 1 / Math.Max(1, rmsU / d);
            double alpha = relative
                ? Math.Max(eps2, Math.Sqrt(Reductions.SumOfSquares(theta) / Math.Max(1, p.Length))) * Math.Min(1e-2, 1 / Math.Sqrt(t))
                : g.Lr;
            LastAlpha[k] = alpha;
            float decay = (float)(1 - alpha * wd);
            if (_mom[k] is { } mom && b1 > 0)
            {
                float fb1 = (float)b1, fomb1 = (float)(1 - b1), fs = (float)scale;
                for (int i = 0; i < p.Length; i++) mom[i] = fb1 * mom[i] + fomb1 * (fs * u[i]);
                u = mom; scale = 1;
            }
            float step = (float)(alpha * scale);
            for (int i = 0; i < p.Length; i++) theta[i] = theta[i] * decay - step * u[i];
        }
    }

    private static double Clamp(float g, float tau) => Math.Min(Math.Max(g, -tau), tau);

    /// <summary>Not used: the factored second moment and RMS clipping need whole-tensor sums, so <see cref="StepGroup"/> does the work; throws <see cref="NotSupportedException"/>.</summary>
    protected override void UpdateRange(int param, int start, int end) => throw new NotSupportedException();

    /// <inheritdoc/>
    /// <remarks>Adafactor has no coupled L2 term, so this is the raw gradient.</remarks>
    public void EffectiveGradient(ParameterGroup group, Parameter p, Span<float> destination) => p.GradSpan.CopyTo(destination);

    /// <inheritdoc/>
    public void SetFirstMomentThreshold(ParameterGroup group, float tau) => _tau[group.Index] = tau;
}
