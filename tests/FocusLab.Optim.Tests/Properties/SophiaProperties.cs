using FsCheck.Xunit;

namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// SophiaG's clipped step (Liu et al. 2023): every coordinate moves by at most η after the decoupled
/// decay, |θ' − θ(1 − η wd)| ≤ η, whatever the Hessian estimate; with no estimate yet (h = 0) the step
/// is exactly η·sign(m), and a large estimate turns it into the Newton-like m/(ρ·bs·h).
/// </summary>
public sealed class SophiaProperties
{
    [Property(MaxTest = 30)]
    public void Every_coordinate_moves_at_most_lr_beyond_the_decay(int seed)
    {
        var r = new TestRandom(seed);
        double lr = r.LogUniform(-4, -1), wd = r.Pick(0.0, 0.1, 0.5);
        var model = new TestModel(seed, [("w", [r.Int(1, 9), r.Int(1, 40)], 0), ("b", [r.Int(1, 20)], 0)]);
        var opt = OptimizerFactory.Create($"sophia:lr={lr:R},weight_decay={wd:R},rho={r.Pick(0.01, 0.04):R},bs={r.Pick(1, 64, 5120)}", model.Groups());
        for (int t = 1; t <= 8; t++)
        {
            var before = model.Values();
            model.SetGradients(t);
            opt.Step();
            var after = model.Values();
            for (int k = 0; k < before.Length; k++)
                for (int i = 0; i < before[k].Length; i++)
                {
                    double decayed = before[k][i] * (1 - lr * wd);
                    Assert.True(Math.Abs(after[k][i] - decayed) <= lr * (1 + 1e-5) + 1e-6 * Math.Abs(decayed), $"step {t} [{k}][{i}]: moved {after[k][i] - decayed} with η = {lr}");
                }
            if (t % 2 == 0) { model.SetGradients(100 + t); ((IHessianDiagonal)opt).UpdateHessian(); }
        }
        Assert.Equal(4, ((IHessianDiagonal)opt).HessianUpdates);
    }

    [Fact]
    public void Without_a_hessian_estimate_the_step_is_a_sign_step()
    {
        var model = new TestModel(2, [("w", [7, 9], 0)]);
        var opt = OptimizerFactory.Create("sophia:lr=0.01,weight_decay=0,beta1=0", model.Groups());
        var before = model.Values()[0];
        model.SetGradients(1);
        var g = model.Parameters[0].GradSpan.ToArray();
        opt.Step();
        var after = model.Values()[0];
        for (int i = 0; i < g.Length; i++) Assert.Equal(before[i] - 0.01f * MathF.Sign(g[i]), after[i]);
    }

    [Fact]
    public void A_large_hessian_estimate_gives_the_newton_like_step()
    {
        var p = new Parameter("w", [4], new float[4], new float[] { 1, -2, 3, -4 });
        var opt = OptimizerFactory.Create("sophia:lr=0.1,weight_decay=0,beta1=0,beta2=0,rho=1,bs=1", [p]);
        ((IHessianDiagonal)opt).UpdateHessian(); // h = g² = (1, 4, 9, 16): m/h = 1/g
        opt.Step();
        var expected = new[] { -0.1f * 1f, -0.1f * (-2f / 4f), -0.1f * (3f / 9f), -0.1f * (-4f / 16f) };
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], p.DataSpan[i], 6);
    }

    [Fact]
    public void Resume_keeps_the_hessian_estimate()
    {
        const string spec = "sophia:lr=1e-3,bs=4";
        var full = new TestModel(5, TestModel.SmallLayout);
        var part = full.Copy();
        void Run(TestModel m, Optimizer o, int from, int to)
        {
            for (int t = from + 1; t <= to; t++)
            {
                m.SetGradients(t); o.Step();
                if (t % 2 == 0) { m.SetGradients(1000 + t); ((IHessianDiagonal)o).UpdateHessian(); }
            }
        }
        var a = OptimizerFactory.Create(spec, full.Groups());
        Run(full, a, 0, 8);
        var b = OptimizerFactory.Create(spec, part.Groups());
        Run(part, b, 0, 4);
        var saved = new MemoryStream();
        b.SaveState(saved);
        var resumed = part.Copy();
        var c = OptimizerFactory.Create(spec, resumed.Groups());
        saved.Position = 0;
        c.LoadState(saved);
        Assert.Equal(2, ((IHessianDiagonal)c).HessianUpdates);
        Run(resumed, c, 4, 8);
        TestModel.AssertBitIdentical(full.Values(), resumed.Values(), "sophia resumed with its Hessian estimate");
    }
}
