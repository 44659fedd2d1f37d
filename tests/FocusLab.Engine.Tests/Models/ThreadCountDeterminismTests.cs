using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Kernels;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Models;

namespace FocusLab.Engine.Tests.Models;

/// <summary>Tests that change process-wide settings run alone.</summary>
[CollectionDefinition("Global engine settings", DisableParallelization = true)]
public class GlobalSettingsCollection;

[Collection("Global engine settings")]
public class ThreadCountDeterminismTests
{
    private static (float Loss, float[] Grads) GptStep()
    {
        var gpt = new Gpt<float>(new GptConfig(VocabSize: 64, BlockSize: 32, Layers: 2, Heads: 4, Embedding: 64), seed: 3);
        var mlp = new Mlp<float>(new MlpConfig(Inputs: 64, Hidden: 128, Depth: 2, Classes: 10), seed: 4);
        var rng = new Random(5);
        int[] tokens = Enumerable.Range(0, 8 * 32).Select(_ => rng.Next(64)).ToArray();
        var tape = new Tape<float>();
        var loss = gpt.Loss(tape, tokens, tokens.Select(t => (t * 7) % 64).ToArray(), 8, 32);
        tape.Backward(loss);
        // 4200 rows: every MLP kernel (batch statistics, epilogue, reductions, concurrent products) splits over cores.
        var x = new FocusLab.Engine.Tensors.Tensor<float>(4200, 64);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var mtape = new Tape<float>();
        var mloss = mlp.Loss(mtape, x, Enumerable.Range(0, 4200).Select(i => i % 10).ToArray());
        mtape.Backward(mloss);
        var grads = gpt.Parameters.Concat(mlp.Parameters).SelectMany(p => p.Grad.Span.ToArray()).ToArray();
        return (loss.Value[0] + mloss.Value[0], grads);
    }

    [Fact]
    public void ManagedBackendGivesBitwiseIdenticalTrainingStepsForOneOrManyThreads()
    {
        var previousBackend = Gemm.Backend;
        try
        {
            Gemm.UseBackend(new ManagedGemm());
            Parallelism.MaxDegreeOfParallelism = 1;
            var one = GptStep();
            Parallelism.MaxDegreeOfParallelism = 3;
            var three = GptStep();
            Parallelism.MaxDegreeOfParallelism = -1;
            var all = GptStep();
            Assert.Equal(one.Loss, three.Loss);
            Assert.Equal(one.Grads, three.Grads);
            Assert.Equal(one.Grads, all.Grads);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = -1;
            Gemm.UseBackend(previousBackend);
        }
    }

    [Fact]
    public void OpenBlasBackendIsAlsoBitwiseIdenticalForOneOrManyThreads()
    {
        var blas = OpenBlasGemm.TryLoad();
        if (blas is null) return; // covered by the managed test; nothing to compare without the library
        var previousBackend = Gemm.Backend;
        try
        {
            Gemm.UseBackend(blas);
            Parallelism.MaxDegreeOfParallelism = 1;
            var one = GptStep();
            Parallelism.MaxDegreeOfParallelism = -1;
            var all = GptStep();
            Assert.Equal(one.Grads, all.Grads);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = -1;
            Gemm.UseBackend(previousBackend);
        }
    }

    [Fact]
    public void ForcingABackendByNameWorksAndMissingOpenBlasIsExplained()
    {
        Assert.Equal("managed", Gemm.Create("managed").Name);
        if (OpenBlasGemm.TryLoad() is null)
        {
            var ex = Assert.Throws<InvalidOperationException>(() => Gemm.Create("openblas"));
            Assert.Contains("apt-get install libopenblas0", ex.Message);
        }
        else Assert.Equal("openblas", Gemm.Create("openblas").Name);
    }
}
