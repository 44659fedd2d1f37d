using FocusLab.Engine.Autodiff;
using FocusLab.Lab.Claims;
using FocusLab.Lab.Studies.BatchSize;
using FocusLab.Lab.Studies.Noise;
using FocusLab.Lab.Tests.Training;
using FocusLab.Lab.Training;

namespace FocusLab.Lab.Tests.Studies.Noise;

public class LmNoiseTests
{
    [Fact]
    public void Noise_statistics_match_a_two_pass_computation_over_the_same_gradients()
    {
        const int k = 6, batch = 4;
        var measured = GradientNoise.Measure(TinyTasks.Gpt(dropout: 0), batch, k);

        // The same batches again (same seed → same sampler), gradients kept, statistics by the textbook two-pass formulas.
        var task = TinyTasks.Gpt(dropout: 0);
        int d = (int)task.Model.ParameterCount;
        var grads = new double[k][];
        var tape = new Tape<float>();
        for (int i = 0; i < k; i++)
        {
            tape.Reset();
            task.Model.ZeroGrad();
            tape.Backward(task.NextLoss(tape));
            grads[i] = new double[d];
            task.Model.GatherGradients<double>(grads[i]);
        }
        double trace = 0, normSq = 0;
        var ratios = new List<double>();
        for (int j = 0; j < d; j++)
        {
            double mean = grads.Average(g => g[j]);
            double variance = grads.Sum(g => (g[j] - mean) * (g[j] - mean)) / (k - 1);
            trace += variance;
            normSq += mean * mean;
            if (variance > 0 || mean != 0) ratios.Add(Math.Sqrt(variance) / Math.Abs(mean));
        }
        ratios.Sort();
        double median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[ratios.Count / 2 - 1] + ratios[ratios.Count / 2]) / 2;

        Assert.Equal(d, measured.Parameters);
        Assert.Equal(trace, measured.TraceCov, trace * 1e-9);
        Assert.Equal(normSq, measured.MeanNormSq, normSq * 1e-9);
        Assert.Equal(median, measured.MedianStdOverMean, median * 1e-9);
        double g2 = normSq - trace / k;
        Assert.Equal(g2, measured.GradNormSq, Math.Abs(g2) * 1e-9);
        if (g2 > 0) Assert.Equal(batch * trace / g2, measured.SimpleNoiseScale!.Value, batch * trace / g2 * 1e-9);
        else Assert.Null(measured.SimpleNoiseScale);
    }

    [Fact]
    public void Nested_batches_are_groups_of_one_stream_of_single_sequence_gradients()
    {
        var config = new FocusLab.Engine.Models.GptConfig(256, 8, 1, 2, 16);
        var nested = GradientNoise.MeasureNested(new GptTask(TinyTasks.Corpus(), config, 1, 7, 1), [1, 2], 3);
        // Batch 1 is the plain measurement of the same 6 sequences.
        Assert.Equal(GradientNoise.Measure(new GptTask(TinyTasks.Corpus(), config, 1, 7, 1), 1, 6), nested[0]);

        // Batch 2 by hand: mean of consecutive pairs, two-pass statistics.
        var task = new GptTask(TinyTasks.Corpus(), config, 1, 7, 1);
        int d = (int)task.Model.ParameterCount;
        var tape = new Tape<float>();
        var pairs = new double[3][];
        for (int p = 0; p < 3; p++)
        {
            pairs[p] = new double[d];
            for (int q = 0; q < 2; q++)
            {
                tape.Reset();
                task.Model.ZeroGrad();
                tape.Backward(task.NextLoss(tape));
                var g = new double[d];
                task.Model.GatherGradients<double>(g);
                for (int i = 0; i < d; i++) pairs[p][i] += g[i] / 2;
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++)
        {
            double mean = pairs.Average(x => x[i]);
            trace += pairs.Sum(x => (x[i] - mean) * (x[i] - mean)) / 2;
        }
        Assert.Equal(3, nested[1].Gradients);
        Assert.Equal(trace, nested[1].TraceCov, trace * 1e-9);
        Assert.Throws<ArgumentException>(() => GradientNoise.MeasureNested(task, [2, 3], 2));
    }

    [Fact]
    public void Larger_batches_give_less_noise_per_gradient()
    {
        // Same parameters (seed), batches of 2 and of 16 sequences: tr Cov(g_b) falls roughly as 1/b.
        var config = new FocusLab.Engine.Models.GptConfig(256, 8, 1, 2, 16);
        var small = GradientNoise.Measure(new GptTask(TinyTasks.Corpus(), config, 2, 5, 1), 2, 12);
        var large = GradientNoise.Measure(new GptTask(TinyTasks.Corpus(), config, 16, 5, 1), 16, 12);
        Assert.True(large.TraceCov < small.TraceCov / 3, $"tr Cov at b=16 {large.TraceCov} vs b=2 {small.TraceCov}");
    }

    private static LmNoiseConfig Tiny() => new("test", 1, 2, 16, 8, [2, 8], 6, 8, 0.1, 0.1, 1.0, [1, 2],
    [
        new("adamw", "adamw:beta1=0.9,beta2=0.95,weight_decay=0.1", [1e-3, 1e-2]),
        new("signum", "signum:beta1=0.9,weight_decay=0.2", [3e-4, 3e-3]),
    ], MaxLrExtensions: 1, NoiseGradients: 4);

    [Fact]
    public void Shards_merge_into_the_unsharded_study_and_the_outputs_carry_claims()
    {
        var corpus = TinyTasks.Corpus();
        string straight = TinyTasks.TempDir();
        var reference = new LmNoise(Tiny(), corpus, straight).Run();
        Assert.NotNull(reference);
        Assert.Equal(2, reference!.Noise.Length);
        Assert.Equal([2, 8], reference.ReferenceNoise.Select(n => n.Batch));
        // One stream of 4 × 8 sequences: 16 gradients of 2, 4 of 8.
        Assert.Equal([16, 4], reference.ReferenceNoise.Select(n => n.Gradients));
        Assert.Equal(2, reference.Improvements.Length);
        Assert.All(reference.Results, r => Assert.Equal(2, r.ReplicateLosses.Length));

        string sharded = TinyTasks.TempDir();
        // Shard 0 owns (b2, adamw) and (b8, signum); the first pass leaves the others pending.
        var first = new LmNoise(Tiny(), corpus, sharded) { Shard = new Shard(0, 3) };
        Assert.Null(first.Run());
        Assert.Contains(first.Pending, p => p.StartsWith("signum at batch 2"));
        for (int i = 1; i < 3; i++) new LmNoise(Tiny(), corpus, sharded) { Shard = new Shard(i, 3) }.Run();
        var merged = new LmNoise(Tiny(), corpus, sharded) { MergeOnly = true }.Run();
        Assert.NotNull(merged);
        Assert.Equal(reference.Results.Select(r => (r.Optimizer, r.Batch, r.BestLr, r.LossMean)), merged!.Results.Select(r => (r.Optimizer, r.Batch, r.BestLr, r.LossMean)));
        Assert.Equal(reference.Noise, merged.Noise);
        Assert.Equal(reference.ReferenceNoise, merged.ReferenceNoise);

        var claims = LmNoiseReport.Write(sharded, merged, "test");
        // Two seeds: no verdict may be drawn.
        Assert.Equal(FocusLab.Lab.Claims.ClaimVerdict.NotTestable, Assert.Single(claims).Verdict);
        var (study, read) = FocusLab.Lab.Claims.ClaimFile.Read(Path.Combine(sharded, "claims.json"));
        Assert.Equal("lm-noise", study);
        Assert.Equal(claims[0].Numbers, read[0].Numbers);
        foreach (var f in new[] { "noise.json", "noise.csv", "improvement.csv", "lm_noise_improvement.svg", "lm_noise_noise.svg", "lm_noise.html" })
            Assert.True(File.Exists(Path.Combine(sharded, f)), f);
    }
}
