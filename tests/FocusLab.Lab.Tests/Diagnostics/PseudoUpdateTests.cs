using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Tests.Diagnostics;

public class PseudoUpdateTests
{
    private const int D = 16;
    private static readonly double[] Theta = TestProblems.Gaussian(D, 51);
    private static readonly double[][] Grads = Enumerable.Range(0, 6).Select(k => TestProblems.Gaussian(D, 60 + k)).ToArray();

    [Fact]
    public void Plain_sgd_steps_along_the_last_gradient()
    {
        var u = PseudoUpdate.Direction("sgd:lr=0.1", Theta, Grads);
        for (int i = 0; i < D; i++) Assert.Equal(-0.1 * (float)Grads[^1][i], u[i], 2e-6 * (1 + Math.Abs(Theta[i])));
    }

    [Fact]
    public void Momentum_sgd_uses_the_buffer_accumulated_along_the_trajectory()
    {
        var u = PseudoUpdate.Direction("sgd:lr=0.1,momentum=0.9", Theta, Grads);
        var buf = Grads[0].ToArray(); // PyTorch: first buffer = g₁
        foreach (var g in Grads.Skip(1)) for (int i = 0; i < D; i++) buf[i] = 0.9 * buf[i] + g[i];
        for (int i = 0; i < D; i++) Assert.Equal(-0.1 * buf[i], u[i], 2e-6 * (1 + Math.Abs(Theta[i])));
    }

    [Fact]
    public void Adam_direction_matches_a_scalar_double_reference()
    {
        var u = PseudoUpdate.Direction("adam:lr=0.01", Theta, Grads);
        var expected = AdamReference(0.01, clipFraction: 0);
        for (int i = 0; i < D; i++) Assert.Equal(expected[i], u[i], 1e-6 * (1 + Math.Abs(Theta[i])));
    }

    [Fact]
    public void Clipped_adam_feeds_clipped_gradients_to_the_first_moment_only()
    {
        var u = PseudoUpdate.Direction("adam_clip:lr=0.01", Theta, Grads);
        var expected = AdamReference(0.01, clipFraction: 0.5);
        for (int i = 0; i < D; i++) Assert.Equal(expected[i], u[i], 1e-6 * (1 + Math.Abs(Theta[i])));
        var unclipped = AdamReference(0.01, clipFraction: 0);
        Assert.True(Enumerable.Range(0, D).Max(i => Math.Abs(unclipped[i] - expected[i])) > 1e-4);
    }

    [Fact]
    public void Clipped_sgd_is_an_ema_of_clipped_gradients_from_zero()
    {
        var u = PseudoUpdate.Direction("sgd_clip:lr=0.1", Theta, Grads);
        var m = new double[D];
        foreach (var g in Grads)
        {
            double tau = Tau(g, 0.1);
            for (int i = 0; i < D; i++) m[i] = 0.9 * m[i] + 0.1 * Math.Clamp((float)g[i], -tau, tau);
        }
        for (int i = 0; i < D; i++) Assert.Equal(-0.1 * m[i], u[i], 2e-6 * (1 + Math.Abs(Theta[i])));
    }

    [Fact]
    public void Checkpoint_is_never_modified()
    {
        var theta = Theta.ToArray();
        var bits = theta.Select(BitConverter.DoubleToInt64Bits).ToArray();
        foreach (var spec in new[] { "adam:lr=0.01,weight_decay=0.1", "signum:lr=0.01", "lion:lr=1e-3", "focus:lr=1e-3", "adafactor:lr=1e-2", "normalized_sgd:lr=0.1" })
            PseudoUpdate.Direction(spec, theta, Grads);
        Assert.Equal(bits, theta.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Per_tensor_optimizers_see_the_layout()
    {
        // normalized_sgd steps each tensor by lr·√numel along m/‖m‖.
        var layout = new TensorLayout([("a", [4, 2]), ("b", [8])]);
        var u = PseudoUpdate.Direction("normalized_sgd:lr=0.1", Theta, Grads[..1], layout);
        Assert.Equal(0.1 * Math.Sqrt(8), Math.Sqrt(u[..8].Sum(v => v * v)), 1e-5);
        Assert.Equal(0.1 * Math.Sqrt(8), Math.Sqrt(u[8..].Sum(v => v * v)), 1e-5);
    }

    [Fact]
    public void Anchoring_at_the_checkpoint_differs_from_following_steps_only_through_theta_dependent_terms()
    {
        // Without weight decay adam's step does not read θ: both anchors agree.
        var a = PseudoUpdate.Direction("adam:lr=0.01", Theta, Grads, anchor: PseudoUpdateAnchor.Checkpoint);
        var b = PseudoUpdate.Direction("adam:lr=0.01", Theta, Grads, anchor: PseudoUpdateAnchor.FollowSteps);
        for (int i = 0; i < D; i++) Assert.Equal(a[i], b[i], 1e-6);
        // With decoupled decay the decay term −lr·wd·θ uses the point the step starts from.
        var c = PseudoUpdate.Direction("adamw:lr=0.1,weight_decay=0.5", Theta, Grads, anchor: PseudoUpdateAnchor.Checkpoint);
        var e = PseudoUpdate.Direction("adamw:lr=0.1,weight_decay=0.5", Theta, Grads, anchor: PseudoUpdateAnchor.FollowSteps);
        Assert.True(Enumerable.Range(0, D).Max(i => Math.Abs(c[i] - e[i])) > 1e-3);
    }

    [Fact]
    public void Tracker_accumulates_adam_moments_over_a_moving_trajectory()
    {
        // The trajectory moves between gradients; adam's step does not read θ, so the tracker's last step is the
        // double reference over all the gradients, whatever θ each step started from.
        var tracker = new PseudoUpdateTracker("adam:lr=0.01", TensorLayout.Flat(D));
        for (int k = 0; k < Grads.Length; k++)
        {
            var theta = Theta.Select(v => (float)(v + 0.3 * k)).ToArray();
            tracker.Step(theta, Grads[k].Select(v => (float)v).ToArray());
        }
        var expected = AdamReference(0.01, clipFraction: 0);
        var u = tracker.Direction();
        for (int i = 0; i < D; i++) Assert.Equal(expected[i], u[i], 1e-6 * (2 + Math.Abs(Theta[i])));
        Assert.Equal(Grads.Length, tracker.Steps);
    }

    [Fact]
    public void Tracker_steps_decoupled_decay_from_the_current_point()
    {
        // adamw's decay −lr·wd·θ reads the point each step starts from: the last step's, i.e. the checkpoint's.
        var tracker = new PseudoUpdateTracker("adamw:lr=0.1,weight_decay=0.5", TensorLayout.Flat(D));
        var start = Theta.Select(v => (float)(v + 2)).ToArray();
        tracker.Step(start, Grads[0].Select(v => (float)v).ToArray());
        var checkpoint = Theta.Select(v => (float)v).ToArray();
        tracker.Step(checkpoint, Grads[1].Select(v => (float)v).ToArray());
        var windowed = PseudoUpdate.Direction("adamw:lr=0.1,weight_decay=0.5", checkpoint.Select(v => (double)v).ToArray(), Grads[..2].Select(g => g.Select(v => (double)(float)v).ToArray()).ToArray());
        var u = tracker.Direction();
        for (int i = 0; i < D; i++) Assert.Equal(windowed[i], u[i], 1e-6);
        Assert.Contains("no gradient", Assert.Throws<InvalidOperationException>(() => new PseudoUpdateTracker("sgd:lr=1", TensorLayout.Flat(D)).Direction()).Message);
    }

    [Fact]
    public void Bad_input_is_refused_with_a_clear_message()
    {
        Assert.Contains("at least one gradient", Assert.Throws<ArgumentException>(() => PseudoUpdate.Direction("sgd:lr=0.1", Theta, [])).Message);
        Assert.Contains("length", Assert.Throws<ArgumentException>(() => PseudoUpdate.Direction("sgd:lr=0.1", Theta, [new double[3]])).Message);
        Assert.Throws<ArgumentException>(() => PseudoUpdate.Direction("nosuch:lr=1", Theta, Grads));
    }

    /// <summary>Bias-corrected Adam in double; ĝ (top-k clipped) feeds m, the unclipped g feeds v.</summary>
    private static double[] AdamReference(double lr, double clipFraction)
    {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var m = new double[D];
        var v = new double[D];
        var step = new double[D];
        for (int t = 1; t <= Grads.Length; t++)
        {
            var g = Grads[t - 1].Select(x => (double)(float)x).ToArray();
            double tau = clipFraction > 0 ? Tau(g, clipFraction) : double.PositiveInfinity;
            for (int i = 0; i < D; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * Math.Clamp(g[i], -tau, tau);
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                step[i] = -lr * (m[i] / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
            }
        }
        return step;
    }

    /// <summary>τ = the ⌊k·n⌋-th largest |g| (0-based), as Pan &amp; Li's clipping.</summary>
    private static double Tau(double[] g, double k)
    {
        var abs = g.Select(x => Math.Abs((double)(float)x)).OrderByDescending(x => x).ToArray();
        return abs[(int)Math.Floor(k * abs.Length)];
    }
}
