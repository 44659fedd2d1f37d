using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FocusLab.Engine.Checkpoints;
using FocusLab.Engine.Nn;
using FocusLab.Optim;
using FocusLab.Optim.Schedules;

namespace FocusLab.Engine.Training;

/// <summary>
/// The training loop behind `focuslab train`: schedule → forward/backward → optional global-norm
/// clipping → optimizer step, metrics as JSON Lines, evaluation and an atomic checkpoint every
/// <see cref="TrainOptions.EvalEvery"/> steps and at the end. A checkpoint holds the model, the
/// optimizer state, the sampler position, the model's random state and the step, so
/// <see cref="TrainOptions.Resume"/> continues exactly: the resumed run's metrics lines equal the
/// uninterrupted run's (same thread count). A non-finite loss or gradient norm stops the run before
/// the optimizer step; the last checkpoint (the last good state) is kept.
/// </summary>
public sealed class Trainer
{
    public const string CheckpointFile = "checkpoint.ckpt";
    public const string MetricsFile = "metrics.jsonl";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly TrainOptions _options;
    private readonly ITrainingTask _task;
    private readonly Optimizer _optimizer;
    private readonly LearningRateScheduler _scheduler;
    private readonly IReadOnlyList<Parameter> _parameters;

    public Trainer(TrainOptions options, ITrainingTask task)
    {
        options.Validate();
        _options = options;
        _task = task;
        _parameters = task.Model.OptimParameterList();
        _optimizer = OptimizerFactory.Create(options.Optimizer, Groups(options.Optimizer, task.Model));
        _optimizer.TrackUpdateStatistics = true;
        _scheduler = new LearningRateScheduler(_optimizer, Schedule.Parse(options.Schedule, options.Steps));
    }

    public Optimizer Optimizer => _optimizer;

    /// <summary>Weight decay only on matrices and embeddings when the optimizer has the hyperparameter.</summary>
    private static IEnumerable<ParameterGroupSpec> Groups(string spec, Module<float> model)
    {
        var (id, _) = OptimizerFactory.Parse(spec);
        bool hasDecay = OptimizerFactory.Ids.Contains(id) && OptimizerFactory.SchemaOf(id).Any(h => h.Name == "weight_decay");
        var decay = model.Parameters.Where(p => p.WeightDecay).Select(p => p.AsOptimParameter()).ToList();
        var noDecay = model.Parameters.Where(p => !p.WeightDecay).Select(p => p.AsOptimParameter()).ToList();
        if (!hasDecay) return [new ParameterGroupSpec(decay.Concat(noDecay))];
        return [new ParameterGroupSpec(decay), new ParameterGroupSpec(noDecay, ("weight_decay", 0.0))];
    }

    public TrainingResult Run(Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(_options.OutputDirectory);
        string ckptPath = Path.Combine(_options.OutputDirectory, CheckpointFile);
        string metricsPath = Path.Combine(_options.OutputDirectory, MetricsFile);
        long step = 0;
        if (_options.Resume)
        {
            if (!File.Exists(ckptPath))
                throw new FileNotFoundException($"--resume was given but {ckptPath} does not exist; run without --resume to start fresh.");
            step = Restore(Checkpoint.Load(ckptPath));
            TruncateMetrics(metricsPath, step);
        }
        else if (File.Exists(ckptPath) || File.Exists(metricsPath))
            throw new InvalidOperationException($"{_options.OutputDirectory} already holds a run; pass --resume to continue it or choose another --out folder.");
        long lastCheckpoint = step;
        double? lastEval = null;
        var clock = Stopwatch.StartNew();
        long itemsSinceStart = 0;
        using var metrics = new StreamWriter(metricsPath, append: true, new UTF8Encoding(false));
        while (step < _options.Steps)
        {
            cancel.ThrowIfCancellationRequested();
            long next = step + 1;
            double lr = _scheduler.Apply();
            _optimizer.ZeroGrad();
            double loss = _task.TrainStep();
            double gradNorm = _options.ClipNorm > 0 ? GlobalNormClipping.Clip(_parameters, _options.ClipNorm) : GlobalNormClipping.Norm(_parameters);
            if (!double.IsFinite(loss) || !double.IsFinite(gradNorm))
            {
                string message = $"Training diverged at step {next}: loss {loss}, gradient norm {gradNorm}. The last good checkpoint is step {lastCheckpoint}"
                    + (lastCheckpoint > 0 ? $" in {ckptPath}; lower the learning rate or add --clip and resume from it." : " (none was written); lower the learning rate or add --clip.");
                return new TrainingResult(step, true, message, lastCheckpoint);
            }
            _optimizer.Step();
            step = next;
            var u = _optimizer.LastUpdateStatistics;
            double? evalLoss = null, evalAccuracy = null;
            bool checkpointStep = step % _options.EvalEvery == 0 || step == _options.Steps;
            if (checkpointStep)
            {
                (double l, double a) = _task.Evaluate();
                evalLoss = l; evalAccuracy = a; lastEval = l;
            }
            metrics.WriteLine(JsonSerializer.Serialize(new TrainingMetrics(step, lr, loss, gradNorm, u.Mean, u.Max, u.FractionAboveOne, evalLoss, evalAccuracy), JsonOptions));
            if (checkpointStep)
            {
                metrics.Flush();
                Save(ckptPath, step);
                lastCheckpoint = step;
            }
            itemsSinceStart += _task.ItemsPerStep;
            double rate = itemsSinceStart / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            var remaining = TimeSpan.FromSeconds((_options.Steps - step) * _task.ItemsPerStep / Math.Max(1e-9, rate));
            progress?.Invoke(new TrainingProgress(step, _options.Steps, loss, lastEval, rate, _task.ItemName, remaining));
        }
        return new TrainingResult(step, false, null, lastCheckpoint);
    }

    private void Save(string path, long step)
    {
        var ckpt = new Checkpoint();
        ckpt.Set(CheckpointSections.Model, ModelState.ToBytes(_task.Model));
        using (var s = new MemoryStream())
        {
            _optimizer.SaveState(s);
            ckpt.Set(CheckpointSections.Optimizer, s.ToArray());
        }
        ckpt.Set(CheckpointSections.Sampler, _task.SamplerState());
        ckpt.Set(CheckpointSections.Rng, _task.RandomState());
        ckpt.SetText(CheckpointSections.MetaJson, JsonSerializer.Serialize(new RunMeta(step, _options.Model, _options.Optimizer, _options.Batch, _options.Seed, _options.Steps, _options.Schedule), JsonOptions));
        ckpt.Save(path);
    }

    private sealed record RunMeta(long Step, string Model, string Optimizer, int Batch, ulong Seed, long Steps, string Schedule);

    private long Restore(Checkpoint ckpt)
    {
        var meta = JsonSerializer.Deserialize<RunMeta>(ckpt.GetText(CheckpointSections.MetaJson), JsonOptions)
            ?? throw new InvalidDataException("The checkpoint's meta-json section is empty.");
        if (meta.Model != _options.Model || meta.Optimizer != _options.Optimizer || meta.Batch != _options.Batch || meta.Seed != _options.Seed || meta.Schedule != _options.Schedule || meta.Steps != _options.Steps)
            throw new ArgumentException($"The checkpoint was written by a run with --model {meta.Model} --optimizer {meta.Optimizer} --batch {meta.Batch} --seed {meta.Seed} --steps {meta.Steps} --schedule {meta.Schedule}; resume with the same settings.");
        ModelState.Restore(_task.Model, ckpt.GetView(CheckpointSections.Model).Span);
        using (var s = new MemoryStream(ckpt.Get(CheckpointSections.Optimizer))) _optimizer.LoadState(s);
        _task.RestoreSampler(ckpt.GetView(CheckpointSections.Sampler).Span);
        _task.RestoreRandom(ckpt.GetView(CheckpointSections.Rng).Span);
        return meta.Step;
    }

    /// <summary>Drops metrics lines after the checkpoint's step (written after it by an interrupted run).</summary>
    private static void TruncateMetrics(string path, long step)
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path).Where(line =>
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.GetProperty("step").GetInt64() <= step;
            }
            catch (JsonException)
            {
                return false; // a line cut short by the interruption
            }
        }).ToList();
        string temp = path + ".tmp";
        File.WriteAllLines(temp, kept, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
