using System.CommandLine;
using FocusLab.Engine.Data.Mnist;
using FocusLab.Engine.Data.Text;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Models;
using FocusLab.Engine.Training;
using Spectre.Console;

namespace FocusLab.Cli.Commands;

/// <summary>`focuslab train`: train the FOCUS MLP on MNIST-format data or the GPT on a text corpus.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "mlp (Fashion-MNIST style classification) or gpt (byte-level language model).", Required = true };
        var data = new Option<string?>("--data") { Description = $"Folder of MNIST-format files (mlp; default {MnistDataset.DefaultDirectory}) or UTF-8 file/folder (gpt; default {TextCorpus.DefaultPath})." };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer spec, e.g. adamw:lr=1e-3,weight_decay=0.01 or focus:lr=6e-4,gamma=0.2 (see `focuslab optimizers`).", DefaultValueFactory = _ => "adamw:lr=0.001,weight_decay=0.01" };
        var steps = new Option<long>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "Samples (mlp) or sequences (gpt) per step.", DefaultValueFactory = _ => 64 };
        var schedule = new Option<string>("--schedule") { Description = "constant or cosine:warmup=W,floor=F.", DefaultValueFactory = _ => "constant" };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate and checkpoint every K steps (and at the end).", DefaultValueFactory = _ => 100 };
        var evalBatches = new Option<int>("--eval-batches") { Description = "Validation batches per evaluation (gpt).", DefaultValueFactory = _ => 20 };
        var clip = new Option<double>("--clip") { Description = "Global gradient-norm clip (0 = off).", DefaultValueFactory = _ => 0.0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, sampling and dropout.", DefaultValueFactory = _ => 1UL };
        var outDir = new Option<string>("--out") { Description = "Folder for metrics.jsonl and checkpoint.ckpt.", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its checkpoint (exactly)." };
        var layers = new Option<int>("--n-layer") { Description = "GPT: transformer blocks.", DefaultValueFactory = _ => 4 };
        var heads = new Option<int>("--n-head") { Description = "GPT: attention heads (must divide --n-embd).", DefaultValueFactory = _ => 4 };
        var embd = new Option<int>("--n-embd") { Description = "GPT: embedding width.", DefaultValueFactory = _ => 128 };
        var block = new Option<int>("--block-size") { Description = "GPT: context length in bytes.", DefaultValueFactory = _ => 64 };
        var dropout = new Option<double>("--dropout") { Description = "GPT: dropout probability (0 = none, nanoGPT default).", DefaultValueFactory = _ => 0.0 };
        var cmd = new Command("train", "Train the MLP or GPT with any optimizer; metrics as JSON Lines, atomic checkpoints, exact --resume.")
        {
            model, data, optimizer, steps, batch, schedule, evalEvery, evalBatches, clip, seed, outDir, resume, layers, heads, embd, block, dropout,
        };
        cmd.SetAction(r =>
        {
            var options = new TrainOptions
            {
                Model = r.GetValue(model)!.Trim().ToLowerInvariant(), Optimizer = r.GetValue(optimizer)!, Steps = r.GetValue(steps), Batch = r.GetValue(batch),
                Schedule = r.GetValue(schedule)!, EvalEvery = r.GetValue(evalEvery), EvalBatches = r.GetValue(evalBatches), ClipNorm = r.GetValue(clip),
                Seed = r.GetValue(seed), OutputDirectory = r.GetValue(outDir)!, Resume = r.GetValue(resume), Layers = r.GetValue(layers), Heads = r.GetValue(heads),
                Embedding = r.GetValue(embd), BlockSize = r.GetValue(block), Dropout = r.GetValue(dropout),
            };
            options.Validate();
            ITrainingTask task;
            if (options.Model == "mlp")
            {
                var mnist = MnistDataset.Load(r.GetValue(data));
                task = new MlpClassificationTask(mnist.Train, mnist.Test, options.Batch, options.Seed);
            }
            else
            {
                var corpus = TextCorpus.Load(r.GetValue(data));
                var config = new GptConfig(TextCorpus.VocabularySize, options.BlockSize, options.Layers, options.Heads, options.Embedding, options.Dropout);
                task = new GptLanguageTask(corpus, config, options.Batch, options.EvalBatches, options.Seed);
            }
            var trainer = new Trainer(options, task);
            Console.Error.WriteLine($"focuslab train: {options.Model}, {task.Model.ParameterCount:N0} parameters, {options.Optimizer}, GEMM back end {Gemm.BackendName}");
            TrainingResult result = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("training", maxValue: options.Steps);
                    result = trainer.Run(p =>
                    {
                        bar.Value = p.Step;
                        bar.Description = $"step {p.Step}/{p.TotalSteps} loss {p.TrainLoss:F4}" + (p.LastEvalLoss is { } e ? $" eval {e:F4}" : "") + $" {p.ItemsPerSecond:N0} {p.ItemName}/s";
                    });
                });
            if (result.Diverged)
            {
                Console.Error.WriteLine($"focuslab: error: {result.Message}");
                return 3;
            }
            Console.Error.WriteLine($"done: {result.LastStep} steps; metrics in {Path.Combine(options.OutputDirectory, Trainer.MetricsFile)}, checkpoint in {Path.Combine(options.OutputDirectory, Trainer.CheckpointFile)}");
            return 0;
        });
        return cmd;
    }
}
