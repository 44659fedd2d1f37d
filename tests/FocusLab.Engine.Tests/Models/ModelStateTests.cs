using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Models;
using FocusLab.Engine.Nn;

namespace FocusLab.Engine.Tests.Models;

public class ModelStateTests
{
    [Fact]
    public void RoundTripRestoresParametersAndRunningStatistics()
    {
        var a = new Mlp<float>(new MlpConfig(Inputs: 6, Hidden: 5, Depth: 2, Classes: 3), seed: 1);
        var x = new FocusLab.Engine.Tensors.Tensor<float>(4, 6);
        for (int i = 0; i < x.Length; i++) x[i] = i % 7;
        a.Forward(new Tape<float>(false), x); // moves the running statistics
        var path = Path.Combine(Path.GetTempPath(), $"focuslab-model-{Guid.NewGuid():N}.bin");
        try
        {
            ModelState.Save(a, path);
            Assert.False(File.Exists(path + ".tmp"));
            var b = new Mlp<float>(a.Config, seed: 2);
            ModelState.Load(b, path);
            for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Value.Span.ToArray(), b.Parameters[i].Value.Span.ToArray());
            for (int i = 0; i < a.State.Count; i++) Assert.Equal(a.State[i].Span.ToArray(), b.State[i].Span.ToArray());

            var bytes = File.ReadAllBytes(path);
            var truncated = new MemoryStream(bytes[..^20]);
            Assert.Contains("corrupt", Assert.Throws<InvalidDataException>(() => ModelState.Load(b, truncated)).Message);
            bytes[40] ^= 1;
            Assert.Throws<InvalidDataException>(() => ModelState.Load(b, new MemoryStream(bytes)));
            var other = new Mlp<float>(new MlpConfig(Inputs: 6, Hidden: 4, Depth: 2, Classes: 3), seed: 1);
            Assert.Contains("does not match", Assert.Throws<InvalidDataException>(() => ModelState.Load(other, path)).Message);
        }
        finally { File.Delete(path); }
    }
}
