using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FocusLab.Lab.Landscapes;

namespace FocusLab.Lab.Sweeps;

/// <summary>How to execute a sweep: threads and which shard of the grid.</summary>
public sealed record SweepOptions
{
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int ShardIndex { get; init; } = 0;
    public int ShardCount { get; init; } = 1;
    /// <summary>Also keep every run's final θ (Dimension floats per run) in <see cref="SweepResult.FinalParameters"/>; for small grids and tests.</summary>
    public bool RecordFinalParameters { get; init; }
}

/// <summary>
/// Runs a <see cref="SweepGrid"/> in float32. Eight point-replicates share one Vector256 (a lane
/// block); all optimizers and learning rates of a lane block step together, so the block's gradient
/// noise — keyed by (seed, point-replicate, step) and shared by every optimizer and learning rate as
/// common random numbers — is drawn once per step. The optimizer state of a block stays in L1 and the
/// step loop over (optimizer, lr) gives the CPU many independent dependency chains. Lane blocks are
/// the unit of work across threads and shards, and no lane ever reads another lane, so results do not
/// depend on thread count, SIMD packing or sharding.
/// </summary>
public static unsafe class SweepEngine
{
    public const int Lanes = 8;

    public static long BlockCount(SweepGrid grid) => (grid.PointReplicates + Lanes - 1) / Lanes;

    /// <summary>Point-replicate range [start, start + count) of shard i of N (contiguous lane blocks).</summary>
    public static (long Start, long Count) ShardRange(SweepGrid grid, int shardIndex, int shardCount)
    {
        if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount)
            throw new ArgumentException($"shard {shardIndex}/{shardCount} is invalid: need 0 ≤ i < N");
        long blocks = BlockCount(grid);
        long b0 = blocks * shardIndex / shardCount, b1 = blocks * (shardIndex + 1) / shardCount;
        long start = Math.Min(b0 * Lanes, grid.PointReplicates), end = Math.Min(b1 * Lanes, grid.PointReplicates);
        return (start, end - start);
    }

    /// <param name="progress">Called from worker threads with the number of optimizer steps just completed.</param>
    public static SweepResult Run(SweepGrid grid, SweepOptions? options = null, Action<long>? progress = null,
        CancellationToken cancel = default)
    {
        options ??= new SweepOptions();
        grid.Validate();
        if (options.Threads < 1) throw new ArgumentException("--threads must be ≥ 1");
        var (start, count) = ShardRange(grid, options.ShardIndex, options.ShardCount);
        long n = (long)grid.NOpt * grid.NLr * count;
        if (n > Array.MaxLength) throw new ArgumentException($"this shard holds {n} runs, more than one array can; use more shards (--shard i/N)");
        var final = new float[n]; var min = new float[n]; var maxU = new float[n];
        var theta = options.RecordFinalParameters ? new float[checked(n * grid.Dimension)] : null;
        var ctx = new Context(grid, start, count, final, min, maxU, theta);

        // A shard can be empty when there are more shards than lane blocks.
        long firstBlock = start / Lanes, blockEnd = count == 0 ? firstBlock : (start + count + Lanes - 1) / Lanes;
        long next = firstBlock;
        Exception? failure = null;
        void Worker()
        {
            var scratch = new Scratch(grid);
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    long b = Interlocked.Increment(ref next) - 1;
                    if (b >= blockEnd) break;
                    long steps = ctx.RunBlock(b, scratch);
                    progress?.Invoke(steps);
                }
            }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
            finally { scratch.Dispose(); }
        }
        int threads = (int)Math.Min(options.Threads, Math.Max(1, blockEnd - firstBlock));
        var workers = Enumerable.Range(0, threads - 1).Select(_ => new Thread(Worker) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        Worker();
        workers.ForEach(w => w.Join());
        if (failure is not null) throw new InvalidOperationException("sweep worker failed: " + failure.Message, failure);
        cancel.ThrowIfCancellationRequested();
        return new SweepResult(grid, options.ShardIndex, options.ShardCount, start, count, final, min, maxU) { FinalParameters = theta };
    }

    /// <summary>Per-thread native buffers: optimizer state and one step of noise. Allocated once per worker.</summary>
    private sealed class Scratch : IDisposable
    {
        public readonly Vector256<float>* State;
        public readonly Vector256<float>* Noise;
        public readonly Vector256<float>* Final; // final loss per (optimizer, lr)
        public readonly int StridePerRun; // vectors per (optimizer, lr): θ, s1, s2 per coordinate + min loss + max u

        public Scratch(SweepGrid g)
        {
            StridePerRun = 3 * g.Dimension + 2;
            State = (Vector256<float>*)NativeMemory.AlignedAlloc((nuint)(g.NOpt * g.NLr * StridePerRun * 32), 32);
            Noise = (Vector256<float>*)NativeMemory.AlignedAlloc((nuint)(g.PairsPerStep * 2 * 32), 32);
            Final = (Vector256<float>*)NativeMemory.AlignedAlloc((nuint)(g.NOpt * g.NLr * 32), 32);
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(State);
            NativeMemory.AlignedFree(Noise);
            NativeMemory.AlignedFree(Final);
        }
    }

    private sealed class Context(SweepGrid g, long start, long count, float[] final, float[] min, float[] maxU, float[]? theta)
    {
        private readonly CounterRng _rng = new(g.Seed);
        private readonly float[] _axis = g.ValleyAxis().Select(v => (float)v).ToArray();
        private readonly float[] _lrs = g.LearningRates.Select(v => (float)v).ToArray();
        private readonly RuleSet _rules = new(g.Optimizers, g.Steps); // prototypes; each block works on a copy

        /// <summary>Runs one lane block for all optimizers and learning rates; returns optimizer steps done.</summary>
        public long RunBlock(long block, Scratch s)
        {
            long p0 = block * Lanes;
            int valid = (int)Math.Min(Lanes, Math.Min(start + count, g.PointReplicates) - p0);
            Span<uint> keys = stackalloc uint[Lanes];
            Span<float> a = stackalloc float[Lanes], wd = stackalloc float[Lanes], sigma = stackalloc float[Lanes];
            for (int l = 0; l < Lanes; l++)
            {
                long p = p0 + Math.Min(l, valid - 1); // padding lanes repeat the last real one; never written back
                long pixel = p / g.Replicates;
                int x = (int)(pixel % g.NX), y = (int)(pixel / g.NX);
                keys[l] = (uint)p; a[l] = (float)g.SharpnessAt(x); wd[l] = (float)g.WeightDecayAt(x); sigma[l] = (float)g.SigmaValues[y];
            }
            var lane = new LaneParams(Vector256.Create(keys), Vector256.Create(a), Vector256.Create(wd), Vector256.Create(sigma));
            if (g.Noise == NoiseKind.Multiplicative) Simulate<MultiplicativeNoiseRule>(lane, s);
            else Simulate<AdditiveNoiseRule>(lane, s);

            int runs = g.NOpt * g.NLr;
            for (int r = 0; r < runs; r++)
            {
                var st = s.State + (long)r * s.StridePerRun;
                int d = g.Dimension;
                for (int l = 0; l < valid; l++)
                {
                    long idx = (long)r * count + (p0 + l - start);
                    float f = s.Final[r].GetElement(l);
                    final[idx] = float.IsFinite(f) ? f : float.PositiveInfinity;
                    min[idx] = st[3 * d].GetElement(l);
                    maxU[idx] = st[3 * d + 1].GetElement(l);
                    if (theta is not null) for (int i = 0; i < d; i++) theta[idx * d + i] = st[i].GetElement(l);
                }
            }
            return (long)runs * valid * g.Steps;
        }

        private readonly record struct LaneParams(Vector256<uint> Keys, Vector256<float> A, Vector256<float> Wd, Vector256<float> Sigma);

        private void Simulate<TNoise>(LaneParams lane, Scratch s) where TNoise : struct, INoiseRule
        {
            int d = g.Dimension, pairs = g.PairsPerStep, stride = s.StridePerRun, nLr = g.NLr;
            var st = s.State; var noise = s.Noise;
            // θ₀ ~ N(0, InitStd²) from counter 0..pairs−1 (step 0); shared by every optimizer and lr.
            var init = stackalloc Vector256<float>[2 * pairs];
            var initStd = Vector256.Create((float)g.InitStd);
            for (int p = 0; p < pairs; p++)
            {
                init[2 * p] = _rng.Normals(lane.Keys, (uint)p, out var z1) * initStd;
                init[2 * p + 1] = z1 * initStd;
            }
            for (int r = 0; r < g.NOpt * nLr; r++)
            {
                var p = st + (long)r * stride;
                for (int i = 0; i < d; i++) { p[i] = init[i]; p[d + i] = default; p[2 * d + i] = default; }
                p[3 * d] = Vector256.Create(float.PositiveInfinity);  // min loss
                p[3 * d + 1] = Vector256.Create(float.NegativeInfinity); // max u
            }

            var rules = _rules.Copy();
            fixed (float* lrs = _lrs)
            fixed (float* axis = _axis)
            {
                var q = stackalloc Vector256<float>[d];
                for (int i = 0; i < d; i++) q[i] = Vector256.Create(axis[i]);
                var env = new StepEnv(lane.A, lane.Wd, Vector256.Create((float)g.C), q, d, stride, nLr, lrs);
                for (long t = 1; t <= g.Steps; t++)
                {
                    uint counter = (uint)(t * pairs);
                    for (int p = 0; p < pairs; p++)
                    {
                        var z0 = _rng.Normals(lane.Keys, counter + (uint)p, out var z1);
                        noise[2 * p] = TNoise.Prepare(z0, lane.Sigma);
                        noise[2 * p + 1] = TNoise.Prepare(z1, lane.Sigma);
                    }
                    for (int o = 0; o < g.NOpt; o++)
                    {
                        var block = st + (long)o * nLr * stride;
                        switch (g.Optimizers[o].Kind)
                        {
                            case ToyOptimizerKind.Adam: rules.Adam[o].BeginStep(t); StepAll<AdamRule, TNoise>(ref rules.Adam[o], block, noise, env); break;
                            case ToyOptimizerKind.Signum: rules.Signum[o].BeginStep(t); StepAll<SignumRule, TNoise>(ref rules.Signum[o], block, noise, env); break;
                            default: rules.Focus[o].BeginStep(t); StepAll<FocusRule, TNoise>(ref rules.Focus[o], block, noise, env); break;
                        }
                    }
                }
                // Final loss at θ_T, which also enters the running min and max.
                for (int r = 0; r < g.NOpt * nLr; r++)
                {
                    var p = st + (long)r * stride;
                    var (loss, u) = d == 2 ? Loss2D(p, env) : LossND(p, env);
                    var runMin = MinIgnoringNaN(loss, p[3 * d]);
                    var runMax = MaxIgnoringNaN(u, p[3 * d + 1]);
                    s.Final[r] = loss; p[3 * d] = runMin; p[3 * d + 1] = runMax;
                }
            }
        }
    }

    /// <summary>One rule instance per optimizer index (only the entry of that optimizer's kind is used).</summary>
    private sealed class RuleSet
    {
        public readonly AdamRule[] Adam; public readonly SignumRule[] Signum; public readonly FocusRule[] Focus;
        public RuleSet(ToyOptimizer[] specs, int steps)
        {
            Adam = specs.Select(s => s.Kind == ToyOptimizerKind.Adam ? new AdamRule(s, steps) : default).ToArray();
            Signum = specs.Select(s => new SignumRule(s)).ToArray();
            Focus = specs.Select(s => s.Kind == ToyOptimizerKind.Focus ? new FocusRule(s, steps) : default).ToArray();
        }

        private RuleSet(AdamRule[] a, SignumRule[] s, FocusRule[] f) { Adam = a; Signum = s; Focus = f; }

        /// <summary>Copies the structs (their step tables are shared, read-only).</summary>
        public RuleSet Copy() => new((AdamRule[])Adam.Clone(), (SignumRule[])Signum.Clone(), (FocusRule[])Focus.Clone());
    }

    private readonly struct StepEnv(Vector256<float> a, Vector256<float> wd, Vector256<float> c, Vector256<float>* q, int d, int stride, int nLr, float* lrs)
    {
        public readonly Vector256<float> A = a, HalfA = a * 0.5f, Wd = wd, C = c;
        public readonly Vector256<float>* Q = q;
        public readonly int D = d, Stride = stride, NLr = nLr;
        public readonly float* Lrs = lrs;
    }

    // vminps/vmaxps return the second operand when either is NaN, so a NaN loss never replaces the running value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MinIgnoringNaN(Vector256<float> x, Vector256<float> running) =>
        Avx.IsSupported ? Avx.Min(x, running) : Vector256.ConditionalSelect(Vector256.LessThan(x, running), x, running);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaxIgnoringNaN(Vector256<float> x, Vector256<float> running) =>
        Avx.IsSupported ? Avx.Max(x, running) : Vector256.ConditionalSelect(Vector256.GreaterThan(x, running), x, running);

    private static void StepAll<TRule, TNoise>(ref TRule rule, Vector256<float>* block, Vector256<float>* noise, in StepEnv e)
        where TRule : struct, IToyRule where TNoise : struct, INoiseRule
    {
        if (e.D == 2) Step2D<TRule, TNoise>(ref rule, block, noise, e);
        else StepND<TRule, TNoise>(ref rule, block, noise, e);
    }

    /// <summary>
    /// One step of every learning rate on the 2-D valley, fused in a single pass: valley coordinates,
    /// loss tracking at the pre-step θ, gradient, noise, optimizer direction and decoupled decay.
    /// State layout per run: θx θy s1x s1y s2x s2y minLoss maxU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Step2D<TRule, TNoise>(ref TRule rule, Vector256<float>* block, Vector256<float>* noise, in StepEnv e)
        where TRule : struct, IToyRule where TNoise : struct, INoiseRule
    {
        var cs = e.Q[0]; var sn = e.Q[1]; var negSn = -sn;
        var a = e.A; var halfA = e.HalfA; var negC = -e.C; var wd = e.Wd;
        var n0 = noise[0]; var n1 = noise[1];
        for (int j = 0; j < e.NLr; j++)
        {
            var p = block + j * 8;
            var x = p[0]; var y = p[1];
            // State goes through locals so the JIT keeps it in registers between the rule and the store.
            var m0 = p[2]; var m1 = p[3];
            Vector256<float> s0 = default, s1 = default;
            if (TRule.UsesSecondState) { s0 = p[4]; s1 = p[5]; }
            var u = Vector256.FusedMultiplyAdd(cs, x, sn * y);
            var v = Vector256.FusedMultiplyAdd(cs, y, negSn * x);
            var uv = u * v;
            var loss = Vector256.FusedMultiplyAdd(halfA * uv, uv, negC * u);
            p[6] = MinIgnoringNaN(loss, p[6]);
            p[7] = MaxIgnoringNaN(u, p[7]);
            var auv = a * uv;
            var gu = Vector256.FusedMultiplyAdd(auv, v, negC); // ∂L/∂u = a u v² − c
            var gv = auv * u;                                  // ∂L/∂v = a u² v
            var gx = TNoise.Apply(Vector256.FusedMultiplyAdd(cs, gu, negSn * gv), n0);
            var gy = TNoise.Apply(Vector256.FusedMultiplyAdd(sn, gu, cs * gv), n1);
            var negEta = Vector256.Create(-e.Lrs[j]);
            // One coordinate at a time keeps fewer vectors live (AVX2 has 16 registers).
            var dx = rule.Direction(gx, x, ref m0, ref s0);
            p[0] = Vector256.FusedMultiplyAdd(negEta, Vector256.FusedMultiplyAdd(wd, x, dx), x); // θ − η(d + wd θ)
            var dy = rule.Direction(gy, y, ref m1, ref s1);
            p[1] = Vector256.FusedMultiplyAdd(negEta, Vector256.FusedMultiplyAdd(wd, y, dy), y);
            p[2] = m0; p[3] = m1;
            if (TRule.UsesSecondState) { p[4] = s0; p[5] = s1; }
        }
    }

    /// <summary>
    /// One step on the n-dimensional valley. With u = q·θ and w = θ − u q (the part across the valley),
    /// L = (a/2) u² ‖w‖² − c u and ∇L = (a u ‖w‖² − c) q + a u² w: O(n) per step instead of rotating
    /// by the full frame. ‖w‖² is summed explicitly (not ‖θ‖² − u²) to avoid cancellation.
    /// State layout per run: θ[n] s1[n] s2[n] minLoss maxU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StepND<TRule, TNoise>(ref TRule rule, Vector256<float>* block, Vector256<float>* noise, in StepEnv e)
        where TRule : struct, IToyRule where TNoise : struct, INoiseRule
    {
        int d = e.D; var q = e.Q;
        for (int j = 0; j < e.NLr; j++)
        {
            var th = block + (long)j * e.Stride;
            var s1 = th + d; var s2 = th + 2 * d;
            var (u, w2) = AxisAndCross(th, q, d);
            var loss = Vector256.FusedMultiplyAdd(e.HalfA * u * u, w2, -(e.C * u));
            th[3 * d] = MinIgnoringNaN(loss, th[3 * d]);
            th[3 * d + 1] = MaxIgnoringNaN(u, th[3 * d + 1]);
            var alpha = Vector256.FusedMultiplyAdd(e.A * u, w2, -e.C);
            var beta = e.A * u * u;
            var eta = Vector256.Create(e.Lrs[j]);
            for (int i = 0; i < d; i++)
            {
                var x = th[i];
                var wi = Vector256.FusedMultiplyAdd(-u, q[i], x);
                var gi = TNoise.Apply(Vector256.FusedMultiplyAdd(alpha, q[i], beta * wi), noise[i]);
                var di = rule.Direction(gi, x, ref s1[i], ref s2[i]);
                th[i] = Vector256.FusedMultiplyAdd(-eta, Vector256.FusedMultiplyAdd(e.Wd, x, di), x);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> U, Vector256<float> W2) AxisAndCross(Vector256<float>* th, Vector256<float>* q, int d)
    {
        Vector256<float> u0 = default, u1 = default;
        int i = 0;
        for (; i + 1 < d; i += 2) { u0 = Vector256.FusedMultiplyAdd(q[i], th[i], u0); u1 = Vector256.FusedMultiplyAdd(q[i + 1], th[i + 1], u1); }
        if (i < d) u0 = Vector256.FusedMultiplyAdd(q[i], th[i], u0);
        var u = u0 + u1;
        Vector256<float> w0 = default, w1 = default;
        for (i = 0; i + 1 < d; i += 2)
        {
            var a = Vector256.FusedMultiplyAdd(-u, q[i], th[i]); w0 = Vector256.FusedMultiplyAdd(a, a, w0);
            var b = Vector256.FusedMultiplyAdd(-u, q[i + 1], th[i + 1]); w1 = Vector256.FusedMultiplyAdd(b, b, w1);
        }
        if (i < d) { var a = Vector256.FusedMultiplyAdd(-u, q[i], th[i]); w0 = Vector256.FusedMultiplyAdd(a, a, w0); }
        return (u, w0 + w1);
    }

    private static (Vector256<float> Loss, Vector256<float> U) Loss2D(Vector256<float>* p, in StepEnv e)
    {
        var u = Vector256.FusedMultiplyAdd(e.Q[0], p[0], e.Q[1] * p[1]);
        var v = Vector256.FusedMultiplyAdd(e.Q[0], p[1], -(e.Q[1] * p[0]));
        var uv = u * v;
        return (Vector256.FusedMultiplyAdd(e.HalfA * uv, uv, -(e.C * u)), u);
    }

    private static (Vector256<float> Loss, Vector256<float> U) LossND(Vector256<float>* th, in StepEnv e)
    {
        var (u, w2) = AxisAndCross(th, e.Q, e.D);
        return (Vector256.FusedMultiplyAdd(e.HalfA * u * u, w2, -(e.C * u)), u);
    }
}
