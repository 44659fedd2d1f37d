using System.Globalization;
using FocusLab.Engine.Checkpoints;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;

namespace FocusLab.Lab.Training;

/// <summary>
/// A model as `focuslab train` left it: the MLP or GPT rebuilt from the sizes recorded in the
/// checkpoint's metadata, with its parameters and batch-norm statistics restored, ready to be measured.
/// </summary>
public sealed class TrainedModel
{
    private TrainedModel(string checkpointPath, RunMeta meta, Module<float> model)
    {
        CheckpointPath = checkpointPath;
        Meta = meta;
        Model = model;
    }

    public string CheckpointPath { get; }

    public RunMeta Meta { get; }

    /// <summary>"mlp" or "gpt".</summary>
    public string Kind => Meta.Kind;

    public Module<float> Model { get; }

    public Mlp<float>? Mlp => Model as Mlp<float>;

    public Gpt<float>? Gpt => Model as Gpt<float>;

    /// <summary>Loads a run folder of `focuslab train` (or its checkpoint.bin directly).</summary>
    public static TrainedModel Load(string runDirectoryOrCheckpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectoryOrCheckpoint);
        string path = Directory.Exists(runDirectoryOrCheckpoint)
            ? Path.Combine(runDirectoryOrCheckpoint, TrainingCheckpoint.FileName)
            : runDirectoryOrCheckpoint;
        if (!File.Exists(path))
            throw new FileNotFoundException($"No checkpoint at '{path}'. Pass the --out folder of a `focuslab train` run (it holds {TrainingCheckpoint.FileName}), e.g. `./focuslab train --model mlp --optimizer adamw:lr=1e-3 --steps 300 --out runs/mlp` first.", path);
        var ckpt = Checkpoint.Load(path);
        if (!ckpt.Contains(CheckpointSections.MetaJson))
            throw new InvalidDataException($"{path} has no run metadata; it was not written by `focuslab train`.");
        var meta = TrainingCheckpoint.ReadMeta(ckpt);
        if (meta.Format != RunMeta.CurrentFormat)
            throw new InvalidDataException($"{path}: checkpoint format '{meta.Format}' is not '{RunMeta.CurrentFormat}'.");
        Module<float> model = meta.Kind switch
        {
            "mlp" => new Mlp<float>(new MlpConfig(Int(meta, "inputs", path), Int(meta, "hidden", path), Int(meta, "depth", path), Int(meta, "classes", path)), seed: 0),
            "gpt" => new Gpt<float>(new GptConfig(Int(meta, "vocab_size", path), Int(meta, "block_size", path), Int(meta, "n_layer", path),
                Int(meta, "n_head", path), Int(meta, "n_embd", path), Double(meta, "dropout", path)), seed: 0),
            _ => throw new InvalidDataException($"{path}: unknown model kind '{meta.Kind}'; expected mlp or gpt."),
        };
        TrainingCheckpoint.RestoreModel(ckpt, path, model);
        return new TrainedModel(path, meta, model);
    }

    private static string Field(RunMeta meta, string key, string path) =>
        meta.Task.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: the run metadata has no '{key}'; the checkpoint is from an incompatible version of focuslab.");

    private static int Int(RunMeta meta, string key, string path) =>
        int.TryParse(Field(meta, key, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new InvalidDataException($"{path}: run metadata '{key}' = '{meta.Task[key]}' is not an integer.");

    private static double Double(RunMeta meta, string key, string path) =>
        double.TryParse(Field(meta, key, path), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new InvalidDataException($"{path}: run metadata '{key}' = '{meta.Task[key]}' is not a number.");
}
