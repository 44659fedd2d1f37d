namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// Schedule-free AdamW (Defazio et al. 2024): x is the weighted average of the z iterates with weights
/// w_t = t^r·η_max,t^p (η_max,t the largest warmed-up lr so far), y interpolates x and z, and the
/// Train/Eval switch moves the parameters between y and x without perturbing training.
/// </summary>
public sealed class ScheduleFreeProperties
{
    [Theory]
    [InlineData(0, 0.0, 2.0)]
    [InlineData(5, 0.0, 2.0)]
    [InlineData(4, 1.0, 1.0)]
    public void X_is_the_weighted_average_of_the_z_iterates(int warmup, double r, double power)
    {
        // β1 = 0 puts z itself in the parameters (y = z), so every z_t is observable.
        var model = new TestModel(4, [("w", [5, 7], 0), ("b", [9], 0)]);
        var opt = (ScheduleFreeAdamW)OptimizerFactory.Create($"schedulefree_adamw:lr=0.01,beta1=0,warmup_steps={warmup},r={r},weight_lr_power={power},weight_decay=0.1", model.Groups());
        int n = model.Parameters.Sum(p => p.Length);
        var weighted = new double[n];
        double weightSum = 0, lrMax = 0;
        for (int t = 1; t <= 12; t++)
        {
            model.SetGradients(t);
            opt.Step();
            double lr = 0.01 * (t - 1 < warmup ? (double)t / warmup : 1);
            lrMax = Math.Max(lrMax, lr);
            double w = Math.Pow(t, r) * Math.Pow(lrMax, power);
            weightSum += w;
            var z = model.Values().SelectMany(v => v).ToArray();
            for (int i = 0; i < n; i++) weighted[i] += w * z[i];
        }
        opt.Eval();
        var x = model.Values().SelectMany(v => v).ToArray();
        for (int i = 0; i < n; i++)
        {
            double expected = weighted[i] / weightSum;
            Assert.True(Math.Abs(x[i] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"x[{i}] = {x[i]} but the weighted average of z is {expected}");
        }
    }

    [Fact]
    public void Eval_then_Train_restores_y_bit_for_bit_and_does_not_perturb_training()
    {
        var a = new TestModel(6, TestModel.SmallLayout);
        var b = a.Copy();
        var plain = OptimizerFactory.Create("schedulefree_adamw:lr=0.01,warmup_steps=2,weight_decay=0.05", a.Groups());
        var switched = OptimizerFactory.Create("schedulefree_adamw:lr=0.01,warmup_steps=2,weight_decay=0.05", b.Groups());
        var modes = (ITrainEvalSwitch)switched;
        for (int t = 1; t <= 6; t++)
        {
            a.SetGradients(t); b.SetGradients(t);
            plain.Step(); switched.Step();
            var y = b.Values();
            modes.Eval();
            Assert.False(modes.IsTraining);
            modes.Eval(); // idempotent
            modes.Train();
            Assert.True(modes.IsTraining);
            TestModel.AssertBitIdentical(y, b.Values(), $"y after Eval/Train at step {t}");
        }
        TestModel.AssertBitIdentical(a.Values(), b.Values(), "training with Eval/Train switches");
    }

    [Fact]
    public void A_step_in_evaluation_mode_is_refused()
    {
        var p = new Parameter("w", 3, 3);
        var opt = OptimizerFactory.Create("schedulefree_adamw", [p]);
        ((ITrainEvalSwitch)opt).Eval();
        var e = Assert.Throws<InvalidOperationException>(opt.Step);
        Assert.Contains("Train()", e.Message);
    }

    [Fact]
    public void A_state_saved_in_evaluation_mode_resumes_bit_identically_after_Train()
    {
        const string spec = "schedulefree_adamw:lr=0.01,warmup_steps=3,weight_decay=0.1";
        var full = new TestModel(8, TestModel.SmallLayout);
        var part = full.Copy();
        var a = OptimizerFactory.Create(spec, full.Groups());
        full.Run(a, 0, 8);
        var b = OptimizerFactory.Create(spec, part.Groups());
        part.Run(b, 0, 4);
        ((ITrainEvalSwitch)b).Eval(); // the parameters now hold x: what a checkpoint saves as the model
        var saved = new MemoryStream();
        b.SaveState(saved);
        var resumed = part.Copy();
        var c = OptimizerFactory.Create(spec, resumed.Groups());
        saved.Position = 0;
        c.LoadState(saved);
        Assert.False(((ITrainEvalSwitch)c).IsTraining);
        ((ITrainEvalSwitch)c).Train();
        resumed.Run(c, 4, 8);
        TestModel.AssertBitIdentical(full.Values(), resumed.Values(), "schedule-free resumed from an evaluation-mode save");
    }
}
