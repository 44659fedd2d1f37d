using FocusLab.Engine.Checkpoints;
using FocusLab.Lab.Training;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Training;

/// <summary>
/// `train` with the geometry-family optimizers: schedule-free AdamW evaluates and saves x and resumes
/// bit for bit through its Train/Eval switch; Sophia refreshes its Hessian estimate with the
/// Gauss–Newton–Bartlett pass every k steps and resumes bit for bit; muon hands embeddings, the head,
/// biases and norms to its auxiliary optimizer; adam_mini uses the GPT's head blocks.
/// </summary>
public sealed class TrainerGeometryFamilyTests
{
    private static TrainerOptions Options(string dir, string optimizer) => new()
    {
        Optimizer = optimizer,
        Steps = 12,
        EvalEvery = 4,
        OutDir = dir,
        HessianEvery = 2,
    };

    private static void AssertSameCheckpoints(string dirA, string dirB)
    {
        var a = Checkpoint.Load(Path.Combine(dirA, TrainingCheckpoint.FileName));
        var b = Checkpoint.Load(Path.Combine(dirB, TrainingCheckpoint.FileName));
        foreach (var name in a.SectionNames.Where(n => n != CheckpointSections.MetaJson))
            Assert.True(a.Get(name).AsSpan().SequenceEqual(b.Get(name)), $"section {name} differs");
    }

    private static void AssertResumesBitForBit(Func<ITrainingTask> task, string spec)
    {
        string full = TinyTasks.TempDir(), split = TinyTasks.TempDir();
        var a = new Trainer(task(), Options(full, spec)).Run();
        new Trainer(task(), Options(split, spec) with { StopAfter = 6 }).Run();
        var b = new Trainer(task(), Options(split, spec) with { Resume = true }).Run();
        Assert.Equal(a.Metrics.Select(m => (m.TrainLoss, m.EvalLoss)), b.Metrics.Select(m => (m.TrainLoss, m.EvalLoss)));
        AssertSameCheckpoints(full, split);
    }

    [Fact]
    public void Schedule_free_resumes_bit_for_bit_and_evaluates_and_saves_x()
    {
        const string spec = "schedulefree_adamw:lr=0.01,warmup_steps=3,weight_decay=0.01";
        AssertResumesBitForBit(() => TinyTasks.Mlp(), spec);

        string dir = TinyTasks.TempDir();
        var trainer = new Trainer(TinyTasks.Mlp(), Options(dir, spec));
        trainer.Run();
        var modes = (ITrainEvalSwitch)trainer.Optimizer;
        Assert.False(modes.IsTraining); // the trained model is x
        var parameters = trainer.Task.Model.Parameters;
        var x = parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        var saved = Checkpoint.Load(Path.Combine(dir, TrainingCheckpoint.FileName));
        for (int k = 0; k < parameters.Count; k++) Assert.Equal(x[k], saved.GetFloats("param/" + parameters[k].Name));
        modes.Train();
        var y = parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        Assert.Contains(Enumerable.Range(0, x.Length), k => !x[k].SequenceEqual(y[k]));
        }

    [Fact]
    public void Sophia_refreshes_its_hessian_every_k_steps_with_the_task_batch_size_and_resumes_bit_for_bit()
    {
        const string spec = "sophia:lr=0.003,weight_decay=0.1";
        AssertResumesBitForBit(() => TinyTasks.Gpt(), spec);
        AssertResumesBitForBit(() => TinyTasks.Mlp(), spec);
        var task = TinyTasks.Gpt();
        var trainer = new Trainer(task, Options(TinyTasks.TempDir(), spec));
        trainer.Run();
        Assert.Equal(6, ((IHessianDiagonal)trainer.Optimizer).HessianUpdates);
        Assert.Equal(task.ItemsPerStep, trainer.Optimizer.Groups[0].Get("bs"));
        var given = new Trainer(TinyTasks.Gpt(), Options(TinyTasks.TempDir(), "sophia:bs=7"));
        Assert.Equal(7, given.Optimizer.Groups[0].Get("bs"));
    }

    [Fact]
    public void The_sampled_label_pass_of_the_mlp_leaves_the_batch_norm_statistics_alone()
    {
        var task = TinyTasks.Mlp();
        var tape = new FocusLab.Engine.Autodiff.Tape<float>();
        task.NextLoss(tape);
        var before = task.Model.State.Select(s => s.Span.ToArray()).ToArray();
        tape.Reset();
        var loss = task.SampledLabelLoss(tape, seed: 1);
        tape.Backward(loss);
        Assert.Equal(before, task.Model.State.Select(s => s.Span.ToArray()).ToArray());
        Assert.True(float.IsFinite(loss.Value[0]) && loss.Value[0] > 0);
    }

    [Fact]
    public void Muon_gives_embeddings_and_vectors_to_its_aux_optimizer_and_resumes_bit_for_bit()
    {
        const string spec = "muon:lr=0.02,aux=adamw:lr=3e-3,weight_decay=0.05";
        AssertResumesBitForBit(() => TinyTasks.Gpt(), spec);
        var task = TinyTasks.Gpt();
        var muon = (Muon)new Trainer(task, Options(TinyTasks.TempDir(), spec)).Optimizer;
        foreach (var p in muon.Parameters)
        {
            bool expected = p.Shape.Length == 2 && !p.Name.StartsWith("wte") && !p.Name.StartsWith("wpe");
            Assert.True(muon.IsMuonParameter(p) == expected, $"{p}: muon {muon.IsMuonParameter(p)}");
        }
        Assert.Equal(0.05, muon.Auxiliary!.Groups[0].Get("weight_decay")); // embeddings keep the aux spec's decay
        Assert.Equal(0.0, muon.Auxiliary.Groups[1].Get("weight_decay"));   // norms get none
        Assert.StartsWith("engine:", muon.MatrixProducts.Name);
    }

    [Fact]
    public void Adam_mini_on_the_gpt_has_one_block_per_head_for_q_and_k()
    {
        var task = TinyTasks.Gpt();
        var opt = new Trainer(task, Options(TinyTasks.TempDir(), "adam_mini")).Optimizer;
        var cfg = ((GptTask)task).Config;
        int c = cfg.Embedding, heads = cfg.Heads;
        // Blocks: per layer c_attn 2·heads + c, c_proj c, c_fc 4c, mlp c_proj c; embeddings one per row; norms one each.
        long blocks = cfg.Layers * (2L * heads + c + c + 4 * c + c) + cfg.VocabSize + cfg.BlockSize + (2 * cfg.Layers + 1);
        long n = task.Model.Parameters.Sum(p => (long)p.Length);
        Assert.Equal(4 * n + 8 * blocks, opt.StateBytes);
    }
}
