using System.Globalization;
using FsCheck.Xunit;

namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// Normalized SGD against its closed form in float64 (docs/equations.md#normalized_sgd): per tensor, m = g + wd θ on the first
/// step, then m ← μ m + (1 − dampening)(g + wd θ); θ ← θ − η √n m/‖m‖₂, so every tensor's update has RMS exactly η. The
/// tensors include one longer than a chunk (its ‖m‖² is summed over three chunks) and short ones (the padded vector tail).
/// Float32 against float64 over a few steps differs by ~1e-7 of a step; 1e-4·η + 1e-6·|θ| is far below any change of the
/// maths (a missing √n, a norm over the group instead of the tensor, or a dropped momentum term moves θ by O(η)).
/// </summary>
public sealed class NormalizedSgdProperties
{
    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    [Property(MaxTest = 25)]
    public void Matches_the_float64_closed_form_per_tensor(int seed)
    {
        var rng = new TestRandom(seed);
        double lr = rng.LogUniform(-2, -1), mu = rng.Pick(0.0, 0.5, 0.9), damp = rng.Pick(0.0, 0.3), wd = rng.Pick(0.0, 0.1);
        int[] lengths = [rng.Int(1, 40), 70_000, rng.Int(1, 20)];
        var ps = lengths.Select((n, k) => new Parameter($"p{k}", rng.NormalArray(n))).ToArray();
        var opt = OptimizerFactory.Create($"normalized_sgd:lr={F(lr)},momentum={F(mu)},dampening={F(damp)},weight_decay={F(wd)}",
            [new ParameterGroupSpec(ps)]);
        var theta = ps.Select(p => p.DataSpan.ToArray().Select(v => (double)v).ToArray()).ToArray();
        var m = lengths.Select(n => new double[n]).ToArray();
        for (int t = 1; t <= 3; t++)
        {
            for (int k = 0; k < ps.Length; k++)
            {
                var g = rng.NormalArray(lengths[k], scale: Math.Pow(10, k - 1)); // gradient scales 0.1, 1, 10: the step ignores them
                g.CopyTo(ps[k].GradSpan);
                double sq = 0;
                for (int i = 0; i < g.Length; i++)
                {
                    double d = g[i] + wd * theta[k][i];
                    m[k][i] = t == 1 || mu == 0 ? d : mu * m[k][i] + (1 - damp) * d;
                    sq += m[k][i] * m[k][i];
                }
                double scale = lr * Math.Sqrt(g.Length) / Math.Sqrt(sq), rms = 0;
                for (int i = 0; i < g.Length; i++)
                {
                    double step = scale * m[k][i];
                    theta[k][i] -= step;
                    rms += step * step;
                }
                Assert.Equal(lr, Math.Sqrt(rms / g.Length), lr * 1e-12); // the closed form itself: RMS η per tensor
            }
            opt.Step();
            for (int k = 0; k < ps.Length; k++)
                for (int i = 0; i < lengths[k]; i++)
                {
                    double want = theta[k][i], got = ps[k].DataSpan[i];
                    Assert.True(Math.Abs(got - want) <= 1e-4 * lr + 1e-6 * Math.Abs(want), $"step {t} tensor {k}[{i}]: {got:R} vs float64 {want:R} (η = {lr:R})");
                }
        }
    }

    [Fact]
    public void A_tensor_with_zero_momentum_does_not_move_and_the_others_still_step_with_rms_eta()
    {
        var still = new Parameter("still", [1f, -2f, 3f]);
        var moving = new Parameter("moving", [0.5f, 0.25f, -1f, 2f, 0f]);
        var opt = OptimizerFactory.Create("normalized_sgd:lr=0.05,momentum=0.9", [new ParameterGroupSpec(new[] { still, moving })]);
        float[] before = moving.DataSpan.ToArray();
        new float[] { 3, -4, 0, 12, 1e-3f }.CopyTo(moving.GradSpan);
        opt.Step();
        Assert.Equal([1f, -2f, 3f], still.DataSpan.ToArray());
        double rms = Math.Sqrt(before.Zip(moving.DataSpan.ToArray(), (a, b) => (double)(a - b) * (a - b)).Sum() / before.Length);
        Assert.Equal(0.05, rms, 1e-6);
    }
}
