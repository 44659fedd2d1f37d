using System.Diagnostics;
using System.Text;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Checkpoints;
using FocusLab.Optim;
using FocusLab.Optim.Schedules;

namespace FocusLab.Lab.Training;

/// <summary>
/// The training loop of <c>focuslab train</c> and the studies: per step, lr from the schedule, forward,
/// a finiteness check of the loss, backward, global-norm clipping (or just the norm), the optimizer
/// step and its update statistics; evaluation and an atomic checkpoint every <c>EvalEvery</c> steps and
/// at the end. With an output folder it writes <c>metrics.jsonl</c> (one <see cref="StepMetrics"/> per
/// step), <c>checkpoint.bin</c> (<see cref="TrainingCheckpoint"/>) and <c>run.json</c>.
/// <para>Resume is exact: everything a step depends on (parameters, batch-norm statistics, optimizer
/// moments and step count, sampler position, dropout counter) is in the checkpoint, the schedule is a
/// function of the optimizer's step count, and metrics logged after the checkpoint are discarded, so
/// a run interrupted and resumed writes the same metrics and parameters bit for bit.</para>
/// <para>Schedule-free optimizers (<see cref="ITrainEvalSwitch"/>) are switched to their evaluation point
/// x for every evaluation and checkpoint and back to y for training; the run ends in x. Optimizers with a
/// diagonal Hessian estimate (<see cref="IHessianDiagonal"/>, sophia) get a Gauss–Newton–Bartlett refresh every
/// <see cref="TrainerOptions.HessianEvery"/> steps.</para>
/// <para>A non-finite loss, gradient norm or parameter stops the run with a <see cref="Divergence"/>;
/// no checkpoint is written after it, so the last good one stays on disk.</para>
/// <para>Cancelling the token passed to <see cref="Run"/> (an interrupt) ends the run after the current
/// step with a checkpoint at that step (<see cref="TrainResult.Interrupted"/>); the token is only read
/// between steps, so it never changes what an uninterrupted run computes. Metrics lines are written
/// whole and flushed one by one.</para>
/// </summary>
public sealed class Trainer
{
    public const string MetricsFileName = "metrics.jsonl";
    public const string RunFileName = "run.json";

    private readonly ITrainingTask _task;
    private readonly TrainerOptions _options;

    public Trainer(ITrainingTask task, TrainerOptions options)
    {
        options.Validate();
        _task = task;
        _options = options;
        Optimizer = OptimizerSetup.Create(options.Optimizer, task.Model);
        Optimizer.TrackUpdateStatistics = options.TrackUpdateStatistics;
        // Sophia scales its Hessian by the examples per batch (tokens for the GPT); unless the spec sets bs, it is this task's.
        if (Optimizer is Sophia && !OptimizerFactory.Parse(options.Optimizer).Settings.ContainsKey("bs"))
            foreach (var g in Optimizer.Groups) g.Set("bs", task.ItemsPerStep);
    }

    public Optimizer Optimizer { get; }

    public ITrainingTask Task => _task;

    public TrainResult Run(ITrainingProgress? progress = null, CancellationToken cancel = default)
    {
        var o = _options;
        // The scheduler remembers the spec's lr as the peak, so it is made before any state is loaded.
        var scheduler = new LearningRateScheduler(Optimizer, Schedule.Parse(o.Schedule, o.Steps));
        var parameters = Optimizer.Parameters;
        var metrics = new List<StepMetrics>();
        var notes = new List<string>();
        long start = 0;
        double timeBefore = 0;
        long? checkpointStep = null;
        string? ckptPath = o.OutDir is null ? null : Path.Combine(o.OutDir, TrainingCheckpoint.FileName);
        string? metricsPath = o.OutDir is null ? null : Path.Combine(o.OutDir, MetricsFileName);

        if (o.OutDir is not null)
        {
            Directory.CreateDirectory(o.OutDir);
            if (o.Resume)
            {
                if (!File.Exists(ckptPath))
                    throw new FileNotFoundException($"--resume: no checkpoint at {ckptPath}; start without --resume to begin a new run there.", ckptPath);
                var ckpt = Checkpoint.Load(ckptPath!);
                var saved = TrainingCheckpoint.ReadMeta(ckpt);
                Meta(0, 0).CheckResumableFrom(saved, ckptPath!);
                TrainingCheckpoint.Restore(ckpt, ckptPath!, _task, Optimizer);
                start = saved.Step;
                timeBefore = saved.TimeS;
                checkpointStep = start;
                metrics.AddRange(TruncateMetrics(metricsPath!, start, notes));
            }
            else if (File.Exists(ckptPath))
            {
                throw new ArgumentException($"{o.OutDir} already holds a run ({TrainingCheckpoint.FileName}); pass --resume to continue it, or choose another --out.");
            }
            else
            {
                File.WriteAllText(metricsPath!, "");
            }
        }

        // Schedule-free optimizers: gradients are taken at y, evaluation and checkpoints use x (a resumed
        // checkpoint holds x, so switching back recomputes y from the restored x and z, bit for bit).
        var modes = Optimizer as ITrainEvalSwitch;
        var hessian = Optimizer as IHessianDiagonal;
        modes?.Train();
        long last = o.StopAfter ?? o.Steps;
        using var writer = metricsPath is null ? null : new StreamWriter(metricsPath, append: true, new UTF8Encoding(false));
        var tape = new Tape<float>();
        var clock = Stopwatch.StartNew();
        Evaluation? lastEval = metrics.LastOrDefault(m => m.EvalLoss is not null) is { } e ? new Evaluation(e.EvalLoss!.Value, e.Accuracy ?? double.NaN) : null;
        Divergence? divergence = null;
        progress?.Started(start + 1, last, _task.ItemName);
        long step = start;
        // Read once per step, so the step that sees an interrupt is the one that is checkpointed.
        bool stop = cancel.IsCancellationRequested;
        int stepsAboveLimit = 0;

        while (step < last && !stop)
        {
            long t = step + 1;
            o.BeforeStep?.Invoke(t);
            double lr = scheduler.Apply();
            tape.Reset();
            Optimizer.ZeroGrad();
            var lossVar = _task.NextLoss(tape);
            float loss = lossVar.Value[0];
            if (!float.IsFinite(loss)) { divergence = new Divergence(t, $"the training loss is {loss}"); break; }
            stepsAboveLimit = o.DivergenceLoss is { } limit && loss > limit ? stepsAboveLimit + 1 : 0;
            if (stepsAboveLimit >= o.DivergencePatience)
            {
                divergence = new Divergence(t, $"the training loss stayed above {o.DivergenceLoss} for {o.DivergencePatience} steps");
                break;
            }
            tape.Backward(lossVar);
            double gradNorm = o.ClipNorm is { } clip ? GlobalNormClipping.Clip(parameters, clip) : GlobalNormClipping.Norm(parameters);
            if (!double.IsFinite(gradNorm)) { divergence = new Divergence(t, $"the gradient norm is {gradNorm}"); break; }
            Optimizer.Step();
            step = t;
            if (hessian is not null && o.HessianEvery > 0 && t % o.HessianEvery == 0)
            {
                // Sophia's Gauss–Newton–Bartlett refresh: one backward pass of the loss on labels sampled
                // from the model's softmax, on this step's batch; the draw is keyed by the step, so resume is exact.
                tape.Reset();
                Optimizer.ZeroGrad();
                var sampled = _task.SampledLabelLoss(tape, HessianSeed(t));
                tape.Backward(sampled);
                hessian.UpdateHessian();
            }

            UpdateStatistics? stats = o.TrackUpdateStatistics ? Optimizer.LastUpdateStatistics : null;
            // Evaluation depends only on the step number (never on where a session stops), so an
            // interrupted run evaluates exactly where the uninterrupted one does.
            bool evaluate = t == o.Steps || (o.EvalEvery > 0 && t % o.EvalEvery == 0);
            // An interrupt (cancel) ends the run after this step: checkpoint it so that no work is lost.
            stop = cancel.IsCancellationRequested;
            bool checkpoint = evaluate || t == last || stop;
            Evaluation? eval = null;
            if (checkpoint && !ParametersFinite(parameters)) { divergence = new Divergence(t, "a parameter became NaN or Inf after the update"); break; }
            if (checkpoint) modes?.Eval();
            if (evaluate)
            {
                eval = _task.Evaluate();
                lastEval = eval;
                progress?.Evaluated(t, eval.Value);
            }
            double elapsed = timeBefore + clock.Elapsed.TotalSeconds;
            var record = new StepMetrics(t, lr, loss, eval?.Loss, eval?.Accuracy, gradNorm,
                stats?.Mean, stats?.Max, stats?.FractionAboveOne, elapsed);
            metrics.Add(record);
            if (writer is not null)
            {
                // Whole lines, flushed at once: a crash can cut at most the line being written.
                writer.Write(record.ToJson() + "\n");
                writer.Flush();
            }
            if (checkpoint && ckptPath is not null)
            {
                TrainingCheckpoint.Save(ckptPath, _task, Optimizer, Meta(t, elapsed));
                checkpointStep = t;
            }
            if (t != last) modes?.Train();
            progress?.Stepped(t, loss, (t - start) * (double)_task.ItemsPerStep / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
        }
        writer?.Flush();
        modes?.Eval(); // the trained model is x
        double wall = timeBefore + clock.Elapsed.TotalSeconds;
        if (o.OutDir is not null)
            WriteAtomically(Path.Combine(o.OutDir, RunFileName), Meta(step, wall).ToJson());
        return new TrainResult
        {
            LastStep = step,
            Metrics = metrics,
            FinalEvaluation = lastEval,
            Divergence = divergence,
            WallSeconds = wall,
            CheckpointStep = checkpointStep,
            Interrupted = stop && divergence is null && step < last,
            Notes = notes,
        };
    }

    /// <summary>Seed of step t's label draw for the Gauss–Newton–Bartlett estimate.</summary>
    private static ulong HessianSeed(long t) => unchecked((ulong)t * 0xA24BAED4963EE407UL ^ 0x50F1AUL);

    private RunMeta Meta(long step, double time) => new(RunMeta.CurrentFormat, _task.Kind, step, _options.Steps, _options.Optimizer,
        _options.Schedule, _options.ClipNorm, _options.EvalEvery, time, _task.Describe());

    private static bool ParametersFinite(IReadOnlyList<Parameter> parameters)
    {
        foreach (var p in parameters)
            foreach (float v in p.DataSpan)
                if (!float.IsFinite(v)) return false;
        return true;
    }

    /// <summary>
    /// Keeps the metrics lines up to <paramref name="step"/> (later ones came after the checkpoint and
    /// will be recomputed); a partial last line left by a crash is dropped and noted in <paramref name="notes"/>.
    /// </summary>
    private static List<StepMetrics> TruncateMetrics(string path, long step, List<string> notes)
    {
        var kept = new List<StepMetrics>();
        if (File.Exists(path))
        {
            var contents = MetricsFile.Read(path);
            if (contents.PartialLastLine) notes.Add(MetricsFile.PartialLineNote(path));
            kept.AddRange(contents.Records.TakeWhile(m => m.Step <= step));
        }
        if (kept.Count != step || (kept.Count > 0 && kept[^1].Step != step))
            throw new InvalidDataException($"{path} holds metrics for {kept.Count} steps up to the checkpoint at step {step}; the file was edited or damaged, so the run cannot be resumed faithfully.");
        WriteAtomically(path, string.Concat(kept.Select(m => m.ToJson() + "\n")));
        return kept;
    }

    internal static void WriteAtomically(string path, string text)
    {
        string temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
