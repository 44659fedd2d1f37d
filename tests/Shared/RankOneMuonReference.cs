namespace FocusLab.Tests.Shared;

/// <summary>
/// Muon on one rank-one matrix (1×n, or n×1 read as its 1×n transpose) in float64, written from docs/equations.md#muon without
/// the library's code: B ← μB + g, B̃ = g + μB (Nesterov) or B, X = B̃/max(‖B̃‖, eps), then ns_steps times A = X Xᵀ (a 1×1
/// matrix: ‖X‖²) and X ← aX + (bA + cA²)X, then θ ← θ − η·wd·θ − η_adj·X. Shared by FocusLab.Optim's and the sweep engine's tests.
/// </summary>
internal sealed class RankOneMuonReference(int n, double lr, double weightDecay, double adjustedLr, double momentum, bool nesterov,
    double a, double b, double c, int nsSteps, double eps)
{
    private readonly double[] _buffer = new double[n];

    /// <summary>One step of θ (n coordinates) with gradient <paramref name="g"/>.</summary>
    public void Step(double[] theta, double[] g)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            _buffer[i] = momentum * _buffer[i] + g[i];
            x[i] = nesterov ? g[i] + momentum * _buffer[i] : _buffer[i];
        }
        double norm = Math.Max(Math.Sqrt(x.Sum(v => v * v)), eps);
        for (int i = 0; i < n; i++) x[i] /= norm;
        for (int s = 0; s < nsSteps; s++)
        {
            double gram = x.Sum(v => v * v);        // A = X Xᵀ, 1×1
            double bm = b * gram + c * gram * gram; // bA + cA²
            for (int i = 0; i < n; i++) x[i] = a * x[i] + bm * x[i];
        }
        for (int i = 0; i < n; i++) theta[i] = theta[i] - lr * weightDecay * theta[i] - adjustedLr * x[i];
    }
}
