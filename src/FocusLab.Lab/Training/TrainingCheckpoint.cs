using FocusLab.Engine.Checkpoints;
using FocusLab.Engine.Nn;
using FocusLab.Optim;

namespace FocusLab.Lab.Training;

/// <summary>
/// A training checkpoint in the engine's atomic container: one <c>param/NAME</c> section per
/// parameter, one <c>buffer/I</c> per non-trainable state tensor (batch-norm running statistics),
/// <c>optimizer</c> (<see cref="Optimizer.SaveState"/>), <c>sampler</c>, <c>rng</c> and <c>meta-json</c>
/// (<see cref="RunMeta"/>). Loading checks names and sizes and changes nothing unless all match.
/// </summary>
public static class TrainingCheckpoint
{
    public const string FileName = "checkpoint.bin";

    public static void Save(string path, ITrainingTask task, Optimizer optimizer, RunMeta meta)
    {
        var ckpt = new Checkpoint();
        foreach (var p in task.Model.Parameters) ckpt.SetFloats("param/" + p.Name, p.Value.Span);
        var buffers = task.Model.State;
        for (int i = 0; i < buffers.Count; i++) ckpt.SetFloats($"buffer/{i}", buffers[i].Span);
        using (var ms = new MemoryStream())
        {
            optimizer.SaveState(ms);
            ckpt.Set(CheckpointSections.Optimizer, ms.ToArray());
        }
        ckpt.Set(CheckpointSections.Sampler, task.SamplerState());
        ckpt.Set(CheckpointSections.Rng, task.RngState());
        ckpt.SetText(CheckpointSections.MetaJson, meta.ToJson());
        ckpt.Save(path);
    }

    /// <summary>Reads only the metadata (for checks before restoring).</summary>
    public static RunMeta ReadMeta(Checkpoint ckpt) => RunMeta.FromJson(ckpt.GetText(CheckpointSections.MetaJson));

    /// <summary>Restores model, buffers, optimizer, sampler and RNG from <paramref name="ckpt"/>.</summary>
    public static void Restore(Checkpoint ckpt, string path, ITrainingTask task, Optimizer optimizer)
    {
        // Read and check everything first, then write, so a mismatch leaves the model untouched.
        var apply = CheckModel(ckpt, path, task.Model);
        using (var ms = new MemoryStream(ckpt.Get(CheckpointSections.Optimizer)))
            optimizer.LoadState(ms);
        task.RestoreSampler(ckpt.Get(CheckpointSections.Sampler));
        task.RestoreRng(ckpt.Get(CheckpointSections.Rng));
        apply();
    }

    /// <summary>Overwrites <paramref name="model"/>'s parameters and buffers with the checkpoint's
    /// (for measuring a trained model); nothing changes unless every name and size matches.</summary>
    public static void RestoreModel(Checkpoint ckpt, string path, Module<float> model) => CheckModel(ckpt, path, model)();

    /// <summary>Reads and checks the model sections; returns the action that writes them into the model.</summary>
    private static Action CheckModel(Checkpoint ckpt, string path, Module<float> model)
    {
        var parameters = model.Parameters;
        var values = new float[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            string name = "param/" + parameters[i].Name;
            if (!ckpt.Contains(name)) throw new InvalidDataException($"{path}: no section '{name}'; the checkpoint is for a different model.");
            values[i] = ckpt.GetFloats(name);
            if (values[i].Length != parameters[i].Length)
                throw new InvalidDataException($"{path}: '{name}' has {values[i].Length} values but the model's has {parameters[i].Length}; the checkpoint is for a different model size.");
        }
        var buffers = model.State;
        var bufferValues = new float[buffers.Count][];
        for (int i = 0; i < buffers.Count; i++)
        {
            bufferValues[i] = ckpt.GetFloats($"buffer/{i}");
            if (bufferValues[i].Length != buffers[i].Length)
                throw new InvalidDataException($"{path}: buffer {i} has {bufferValues[i].Length} values, expected {buffers[i].Length}.");
        }
        return () =>
        {
            for (int i = 0; i < parameters.Count; i++) values[i].CopyTo(parameters[i].Value.Span);
            for (int i = 0; i < buffers.Count; i++) bufferValues[i].CopyTo(buffers[i].Span);
        };
    }
}
