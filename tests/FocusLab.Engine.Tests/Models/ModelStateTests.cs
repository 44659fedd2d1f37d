using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Checkpoints;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;

namespace FocusLab.Engine.Tests.Models;

public class ModelStateTests
{
    [Fact]
    public void RoundTripThroughACheckpointRestoresParametersAndRunningStatistics()
    {
        var a = new Mlp<float>(new MlpConfig(Inputs: 6, Hidden: 5, Depth: 2, Classes: 3), seed: 1);
        var x = new FocusLab.Engine.Tensors.Tensor<float>(4, 6);
        for (int i = 0; i < x.Length; i++) x[i] = i % 7;
        a.Forward(new Tape<float>(false), x); // moves the running statistics
        var path = Path.Combine(Path.GetTempPath(), $"focuslab-model-{Guid.NewGuid():N}.ckpt");
        try
        {
            var ckpt = new Checkpoint();
            ckpt.Set(CheckpointSections.Model, ModelState.ToBytes(a));
            ckpt.Save(path);
            var b = new Mlp<float>(a.Config, seed: 2);
            ModelState.Restore(b, Checkpoint.Load(path).Get(CheckpointSections.Model));
            for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Value.Span.ToArray(), b.Parameters[i].Value.Span.ToArray());
            for (int i = 0; i < a.State.Count; i++) Assert.Equal(a.State[i].Span.ToArray(), b.State[i].Span.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void DamagedOrMismatchedSnapshotsAreRefusedAndLeaveTheModelUnchanged()
    {
        var a = new Mlp<float>(new MlpConfig(Inputs: 6, Hidden: 5, Depth: 2, Classes: 3), seed: 1);
        var bytes = ModelState.ToBytes(a);
        var b = new Mlp<float>(a.Config, seed: 2);
        var before = b.Parameters[0].Value.Span.ToArray();
        Assert.Contains("corrupt", Assert.Throws<InvalidDataException>(() => ModelState.Restore(b, bytes[..^20])).Message);
        var flipped = (byte[])bytes.Clone();
        flipped[40] ^= 1;
        Assert.Throws<InvalidDataException>(() => ModelState.Restore(b, flipped));
        Assert.Equal(before, b.Parameters[0].Value.Span.ToArray());
        var other = new Mlp<float>(new MlpConfig(Inputs: 6, Hidden: 4, Depth: 2, Classes: 3), seed: 1);
        Assert.Contains("different architecture", Assert.Throws<InvalidDataException>(() => ModelState.Restore(other, bytes)).Message);
        // float32 snapshots restore into a float64 model of the same architecture.
        var d = new Mlp<double>(a.Config, seed: 3);
        ModelState.Restore(d, bytes);
        Assert.Equal((double)a.Parameters[1].Value[0], d.Parameters[1].Value[0]);
    }
}
