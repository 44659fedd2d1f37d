using System.CommandLine;
using System.Globalization;
using FocusLab.Cli.Conventions;
using FocusLab.Cli.Terminal;
using FocusLab.Engine.Data.Mnist;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Models;
using FocusLab.Lab.Training;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>
/// `focuslab train`: trains the FOCUS MLP on Fashion-MNIST or the GPT on a text corpus with any
/// optimizer spec, writing metrics.jsonl, checkpoint.bin and run.json to --out. Exit codes: 0 done,
/// 2 bad input or missing data, 3 stopped on a non-finite loss (the last good checkpoint is kept).
/// </summary>
internal static class TrainCommand
{
    public const int DivergedExitCode = 3;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "mlp (Fashion-MNIST MLP of FOCUS fig. 2c/d) or gpt (nanoGPT-style decoder).", Required = true };
        model.AcceptOnlyFromAmong("mlp", "gpt");
        var data = new Option<string?>("--data") { Description = "MNIST-format folder (mlp; default /usr/share/datasets/fashion-mnist) or UTF-8 text file/folder (gpt; default /usr/share/games/fortunes)." };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer spec id:name=value,... (its lr is the peak lr), e.g. focus:lr=6e-4,beta2=0.99,gamma=0.2,weight_decay=0.2. See `focuslab optimizers`.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Total optimizer steps.", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "Batch size (samples for mlp, sequences for gpt).", DefaultValueFactory = _ => 128 };
        var schedule = new Option<string>("--schedule") { Description = "constant, or cosine:warmup=W,floor=F (linear warm-up, cosine to F×peak at the last step).", DefaultValueFactory = _ => "constant" };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate and checkpoint every K steps (0 = only at the end).", DefaultValueFactory = _ => 100 };
        var outDir = new Option<string?>("--out") { Description = "Output folder: metrics.jsonl, checkpoint.bin, run.json (default runs/train-<model>-<optimizer id>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its checkpoint (bit-identical to an uninterrupted run)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the initialisation and the batch order.", DefaultValueFactory = _ => 1 };
        var clip = new Option<double?>("--clip") { Description = "Global-norm gradient clipping threshold (e.g. 1.0); off by default." };
        var stopAfter = new Option<int?>("--stop-after") { Description = "Stop after this step with a checkpoint, to be continued with --resume." };
        var nLayer = new Option<int>("--n-layer") { Description = "GPT blocks.", DefaultValueFactory = _ => 4 };
        var nHead = new Option<int>("--n-head") { Description = "GPT attention heads.", DefaultValueFactory = _ => 4 };
        var nEmbd = new Option<int>("--n-embd") { Description = "GPT width.", DefaultValueFactory = _ => 128 };
        var blockSize = new Option<int>("--block-size") { Description = "GPT context length.", DefaultValueFactory = _ => 64 };
        var dropout = new Option<double>("--dropout") { Description = "GPT dropout probability.", DefaultValueFactory = _ => 0.0 };
        var evalBatches = new Option<int>("--eval-batches") { Description = "GPT: validation batches per evaluation (0 = the whole validation split).", DefaultValueFactory = _ => 32 };
        var evalSamples = new Option<int>("--eval-samples") { Description = "MLP: test samples per evaluation (0 = all).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the final summary as JSON on stdout." };
        var hessianEvery = new Option<int>("--hessian-every") { Description = "sophia: refresh the Hessian estimate (Gauss–Newton–Bartlett, labels sampled from the model) every K steps (0 = never).", DefaultValueFactory = _ => 10 };

        var cmd = new Command("train", "Train the MLP or the GPT with any optimizer: progress bar, metrics.jsonl, atomic checkpoints, exact --resume, stop on NaN/Inf.")
        {
            model, data, optimizer, steps, batch, schedule, evalEvery, outDir, resume, seed, clip, stopAfter,
            nLayer, nHead, nEmbd, blockSize, dropout, evalBatches, evalSamples, json, hessianEvery,
        };
        cmd.SetAction(r =>
        {
            string spec = r.GetValue(optimizer)!;
            string modelName = r.GetValue(model)!;
            var options = new TrainerOptions
            {
                Optimizer = spec,
                Steps = r.GetValue(steps),
                Schedule = r.GetValue(schedule)!,
                EvalEvery = r.GetValue(evalEvery),
                ClipNorm = r.GetValue(clip),
                OutDir = r.GetValue(outDir) ?? OutputFolder.Default("train", $"{modelName}-{FocusLab.Optim.OptimizerFactory.Parse(spec).Id}"),
                Resume = r.GetValue(resume),
                StopAfter = r.GetValue(stopAfter),
                HessianEvery = r.GetValue(hessianEvery),
            };
            options.Validate();
            AtLeast(batch, r.GetValue(batch), 1);
            AtLeast(evalBatches, r.GetValue(evalBatches), 0);
            AtLeast(evalSamples, r.GetValue(evalSamples), 0);
            GptConfig? gpt = null;
            if (modelName == "gpt")
            {
                foreach (var size in new[] { nLayer, nHead, nEmbd, blockSize }) AtLeast(size, r.GetValue(size), 1);
                if (r.GetValue(nEmbd) % r.GetValue(nHead) != 0)
                    throw new ArgumentException($"--n-embd {r.GetValue(nEmbd)} must be a multiple of --n-head {r.GetValue(nHead)} (each head gets n-embd / n-head dimensions).");
                if (r.GetValue(dropout) is var p && !(p >= 0 && p < 1))
                    throw new ArgumentException($"--dropout must be in [0, 1); got {p.ToString(CultureInfo.InvariantCulture)}.");
                gpt = new GptConfig(TextCorpus.VocabularySize, r.GetValue(blockSize), r.GetValue(nLayer), r.GetValue(nHead), r.GetValue(nEmbd), r.GetValue(dropout));
            }
            // The optimizer spec is checked before the data is loaded or any folder is touched.
            _ = FocusLab.Optim.OptimizerFactory.Create(spec, [new FocusLab.Optim.Parameter("probe", 1)]);
            OutputFolder.Prepare(options.OutDir!);
            ITrainingTask task = gpt is null
                ? MlpTaskFrom(r.GetValue(data), r.GetValue(batch), r.GetValue(seed), r.GetValue(evalSamples))
                : new GptTask(TextCorpus.Load(r.GetValue(data)), gpt, r.GetValue(batch), r.GetValue(seed), r.GetValue(evalBatches));
            var trainer = new Trainer(task, options);
            var result = SpectreTrainingProgress.Run($"{task.Kind} {trainer.Optimizer.Id}", p => trainer.Run(p, Interrupt.Token));
            // The command that started the run, for `focuslab report`.
            if (!options.Resume)
                OutputFolder.RecordCommand(options.OutDir!);
            foreach (var note in result.Notes) Console.Error.WriteLine($"focuslab: note: {note}");
            var summary = new
            {
                @out = options.OutDir,
                last_step = result.LastStep,
                eval_loss = result.FinalEvaluation?.Loss,
                accuracy = result.FinalEvaluation?.Accuracy,
                wall_s = result.WallSeconds,
                checkpoint_step = result.CheckpointStep,
                diverged_at = result.Divergence?.Step,
                interrupted = result.Interrupted,
                // What the optimizer keeps besides the parameters (Adam-mini's point: about half of adamw's).
                optimizer_state_bytes = trainer.Optimizer.StateBytes,
                state_bytes_per_parameter = trainer.Optimizer.StateBytesPerParameter,
            };
            if (result.Divergence is { } d)
            {
                Console.Error.WriteLine($"focuslab: error: training stopped at step {d.Step}: {d.What}. " +
                    (result.CheckpointStep is { } c ? $"The last good checkpoint (step {c}) is kept in {Path.Combine(options.OutDir!, TrainingCheckpoint.FileName)}" : "No checkpoint was written yet") +
                    "; lower the learning rate, add warm-up, or pass --clip 1.0.");
                if (r.GetValue(json)) Console.WriteLine(Json.Serialize(summary));
                return DivergedExitCode;
            }
            if (result.Interrupted)
            {
                Console.Error.WriteLine($"focuslab: interrupted after step {result.LastStep} of {options.Steps}; checkpoint at step {result.CheckpointStep} in {Path.Combine(options.OutDir!, TrainingCheckpoint.FileName)}, metrics in {Path.Combine(options.OutDir!, Trainer.MetricsFileName)}.");
                Console.Error.WriteLine($"focuslab: resume with: {Interrupt.ResumeCommand("--resume")}");
                if (r.GetValue(json)) Console.WriteLine(Json.Serialize(summary));
                return Interrupt.ExitCode;
            }
            if (r.GetValue(json)) Console.WriteLine(Json.Serialize(summary));
            else if (result.LastStep < options.Steps)
                Console.WriteLine($"stopped after step {result.LastStep} of {options.Steps} with a checkpoint in {options.OutDir}; continue with: {Interrupt.ResumeCommand("--resume")}");
            else
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {result.LastStep}: eval loss {result.FinalEvaluation?.Loss:F4}, accuracy {result.FinalEvaluation?.Accuracy:P2}, {HumanUnits.Seconds(result.WallSeconds)}; optimizer state {trainer.Optimizer.StateBytes:N0} bytes ({trainer.Optimizer.StateBytesPerParameter:F2} per parameter); metrics in {Path.Combine(options.OutDir!, Trainer.MetricsFileName)}"));
            return 0;
        });
        return cmd;
    }

    /// <summary>Refuses an integer option below <paramref name="min"/>, naming the option.</summary>
    private static void AtLeast(Option<int> option, int value, int min)
    {
        if (value < min) throw new ArgumentException($"{option.Name} must be ≥ {min}; got {value}.");
    }

    private static MlpTask MlpTaskFrom(string? data, int batch, int seed, int evalSamples)
    {
        var set = MnistDataset.Load(data);
        return new MlpTask(set.Train, set.Test, batch, seed, evalSamples: evalSamples);
    }
}

/// <summary>A Spectre.Console progress bar on stderr (loss, samples or tokens per second, ETA) for a <see cref="Trainer"/>.</summary>
internal sealed class SpectreTrainingProgress(ProgressTask bar) : ITrainingProgress
{
    private string _items = "items";
    private string _eval = "";

    public static T Run<T>(string title, Func<ITrainingProgress, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var bar = ctx.AddTask(Markup.Escape(title));
                result = work(new SpectreTrainingProgress(bar) { Title = title });
                bar.StopTask();
            });
        return result;
    }

    public string Title { get; init; } = "";

    public void Started(long firstStep, long lastStep, string itemName)
    {
        _items = itemName;
        bar.MaxValue = lastStep;
        bar.Value = firstStep - 1;
    }

    public void Stepped(long step, double trainLoss, double itemsPerSecond)
    {
        bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{Title} step {step} loss {trainLoss:F4}{_eval} {itemsPerSecond:F0} {_items}/s"));
        bar.Value = step;
    }

    public void Evaluated(long step, Evaluation evaluation) =>
        _eval = string.Create(CultureInfo.InvariantCulture, $" eval {evaluation.Loss:F4}");
}
