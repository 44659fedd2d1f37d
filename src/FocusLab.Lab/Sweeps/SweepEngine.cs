using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FocusLab.Lab.Landscapes;
using FocusLab.Optim;

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
/// depend on thread count, SIMD packing or sharding. Each optimizer steps by FocusLab.Optim's own
/// <see cref="IUpdateRule"/> for its spec (one run per lane: each lane's learning rate and weight decay
/// are vector entries, the step's scalars are shared), so the engine and the library cannot drift apart.
/// </summary>
public static unsafe partial class SweepEngine
{
    public const int Lanes = 8;

    /// <summary>Refuses, in one line naming the fix, a toy optimizer the engine cannot run (building its rule once).</summary>
    internal static void CheckRunnable(ToyOptimizer optimizer) => ToyStepper.Create(optimizer, 1, NoiseKind.Multiplicative);

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
            var scratch = new Scratch(grid, ctx.StateVectors);
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

        public Scratch(SweepGrid g, int stateVectors)
        {
            State = (Vector256<float>*)NativeMemory.AlignedAlloc((nuint)(stateVectors * 32), 32);
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
        private readonly ToyStepper[] _steppers = g.Optimizers.Select(o => ToyStepper.Create(o, g.Steps, g.Noise)).ToArray();
        // Learning rates each optimizer steps: all of them, or the first only when its step ignores the learning rate (adafactor's
        // relative step), whose every lr column is the same run (copied from the first before the final loss).
        private readonly int[] _lrRuns = g.Optimizers.Select(o => o.IgnoresLearningRate ? 1 : g.NLr).ToArray();
        private readonly RunLayout _layout = new(g, g.Optimizers.Select(o => ToyStepper.Create(o, 1, g.Noise)).Select(s => s.StateCount * g.Dimension + s.GroupStates).ToArray());

        /// <summary>Vectors of optimizer state per lane block (every optimizer and learning rate).</summary>
        public int StateVectors => _layout.Total;

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
                var st = s.State + _layout.Run(r);
                int d = g.Dimension, minSlot = _layout.MinSlot[r / g.NLr];
                for (int l = 0; l < valid; l++)
                {
                    long idx = (long)r * count + (p0 + l - start);
                    float f = s.Final[r].GetElement(l);
                    final[idx] = float.IsFinite(f) ? f : float.PositiveInfinity;
                    min[idx] = st[minSlot].GetElement(l);
                    maxU[idx] = st[minSlot + 1].GetElement(l);
                    if (theta is not null) for (int i = 0; i < d; i++) theta[idx * d + i] = st[i].GetElement(l);
                }
            }
            return (long)runs * valid * g.Steps;
        }

        private readonly record struct LaneParams(Vector256<uint> Keys, Vector256<float> A, Vector256<float> Wd, Vector256<float> Sigma);

        private void Simulate<TNoise>(LaneParams lane, Scratch s) where TNoise : struct, INoiseRule
        {
            int d = g.Dimension, pairs = g.PairsPerStep, nLr = g.NLr;
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
                var p = st + _layout.Run(r);
                int minSlot = _layout.MinSlot[r / nLr];
                for (int i = 0; i < d; i++) p[i] = init[i];
                for (int i = d; i < minSlot; i++) p[i] = default;
                p[minSlot] = Vector256.Create(float.PositiveInfinity);  // min loss
                p[minSlot + 1] = Vector256.Create(float.NegativeInfinity); // max u
            }
            fixed (float* lrs = _lrs)
            fixed (float* axis = _axis)
            {
                var q = stackalloc Vector256<float>[d];
                for (int i = 0; i < d; i++) q[i] = Vector256.Create(axis[i]);
                var gradient = stackalloc FloatVector256[d]; // the gradient between two passes (group-reducing rule, top-k clipping)
                var thresholdInput = stackalloc FloatVector256[d]; // the gradient a clipped first moment's τ is selected from
                var envs = stackalloc StepEnv[g.NOpt];
                for (int o = 0; o < g.NOpt; o++)
                    envs[o] = new StepEnv(lane.A, lane.Wd, Vector256.Create((float)g.C), q, d, _layout.Stride[o], _lrRuns[o], lrs, _layout.MinSlot[o], gradient,
                        _steppers[o].ClipFraction) { FirstMomentClip = new(_steppers[o].FirstMomentClipFraction, d, thresholdInput) };
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
                        _steppers[o].Step(t, st + _layout.Offset[o], noise, envs[o]);
                    }
                }
                for (int o = 0; o < g.NOpt; o++)
                    for (int j = _lrRuns[o]; j < nLr; j++)
                        Buffer.MemoryCopy(st + _layout.Offset[o], st + _layout.Offset[o] + (long)j * _layout.Stride[o], _layout.Stride[o] * 32L, _layout.Stride[o] * 32L);
                // Final loss at θ_T, which also enters the running min and max.
                for (int r = 0; r < g.NOpt * nLr; r++)
                {
                    var p = st + _layout.Run(r);
                    var env = envs[r / nLr];
                    var (loss, u) = d == 2 ? Loss2D(p, env) : LossND(p, env);
                    var runMin = MinIgnoringNaN(loss, p[env.MinSlot]);
                    var runMax = MaxIgnoringNaN(u, p[env.MinSlot + 1]);
                    s.Final[r] = loss; p[env.MinSlot] = runMin; p[env.MinSlot + 1] = runMax;
                }
            }
        }
    }

    /// <summary>
    /// Where each (optimizer, lr) run's vectors sit in a lane block's state: θ, the rule's own states
    /// (only as many as it has, so the block stays in L1), its per-run group state if any, min loss and max u.
    /// </summary>
    private sealed class RunLayout
    {
        public readonly int[] Stride, MinSlot, Offset;
        public readonly int Total;
        private readonly int _nLr;

        /// <param name="stateVectors">Per optimizer: vectors of rule state per run (per-coordinate states and group states).</param>
        public RunLayout(SweepGrid g, int[] stateVectors)
        {
            _nLr = g.NLr;
            Stride = stateVectors.Select(k => g.Dimension + k + 2).ToArray();
            MinSlot = stateVectors.Select(k => g.Dimension + k).ToArray();
            Offset = new int[stateVectors.Length];
            for (int o = 0; o < stateVectors.Length; o++) { Offset[o] = Total; Total += g.NLr * Stride[o]; }
        }

        /// <summary>Vector offset of run r = o·NLr + j.</summary>
        public long Run(int r) => Offset[r / _nLr] + (long)(r % _nLr) * Stride[r / _nLr];
    }

    /// <summary>
    /// Steps every learning rate of one optimizer: FocusLab.Optim's rule for the optimizer's spec
    /// (<see cref="IRuleOptimizer"/>), its step scalars built once per step t by the library itself
    /// (<see cref="RuleOptimizer{TRule}.RuleAt"/>) and shared by all lanes, with each lane's learning rate and weight decay.
    /// </summary>
    private abstract class ToyStepper
    {
        public abstract int StateCount { get; }

        /// <summary>Vectors of per-run group state after the per-coordinate states (1 for a group-reducing rule: blockwise Adam's v_B).</summary>
        public abstract int GroupStates { get; }

        /// <summary>Top-k clipping fraction k of the gradient (<see cref="CoordinateClipping"/>; 0: off).</summary>
        public double ClipFraction { get; private set; }

        /// <summary>Top-k clipping fraction k of an adaptive optimizer's first moment (<see cref="IFirstMomentClipping"/>; 0: off).</summary>
        public double FirstMomentClipFraction { get; private set; }

        /// <summary>Whether the rule clips its first moment at a per-lane threshold (<see cref="IUpdateRule.ClipsFirstMoment"/>).</summary>
        protected abstract bool RuleClipsFirstMoment { get; }

        public abstract void Step(long t, Vector256<float>* block, Vector256<float>* noise, in StepEnv env);

        public static ToyStepper Create(ToyOptimizer o, int steps, NoiseKind noise)
        {
            var optimizer = o.Create(1e-3, 0, new Parameter("theta", new float[2]));
            // The one transform the engine runs: top-k clipping, per run (Pan & Li 2023), of a non-adaptive optimizer's gradient or an
            // adaptive one's first moment; k = 0 is the identity on any optimizer.
            double k = optimizer.Transforms is [CoordinateClipping] ? optimizer.Groups[0].Get("clip_fraction") : 0;
            bool clipsGradient = optimizer.Transforms is [CoordinateClipping] && (k == 0 || optimizer is not IFirstMomentClipping);
            // An adaptive optimizer's top-k clipping feeds the clipped gradient to its first moment only, at a τ per run (see SweepEngine.Clipping.cs).
            var firstMoment = optimizer.Transforms is [CoordinateClipping] && k > 0 ? optimizer as IFirstMomentClipping : null;
            if (optimizer is not IRuleOptimizer rules || (optimizer.Transforms.Count > 0 && !clipsGradient && firstMoment is null))
                throw new ArgumentException($"'{o.Id}' is not an update rule over one toy run (with top-k clipping at most); remove its other transforms.");
            // The rules are built with clipping on (a finite τ: adam's rule skips the clamp at +∞); every step stores each run's own τ over it.
            firstMoment?.SetFirstMomentThreshold(optimizer.Groups[0], 0);
            var stepper = rules.Accept(new Builder(steps, noise));
            if (firstMoment is not null && !stepper.RuleClipsFirstMoment)
                throw new ArgumentException($"'{o.Id}': {optimizer.Id}'s update rule has no first-moment threshold the sweep engine can set per run; remove clip_fraction.");
            stepper.ClipFraction = clipsGradient ? k : 0;
            stepper.FirstMomentClipFraction = firstMoment is not null ? k : 0;
            return stepper;
        }

        private sealed class Builder(int steps, NoiseKind noise) : IRuleOptimizerVisitor<ToyStepper>
        {
            public ToyStepper Visit<TRule>(RuleOptimizer<TRule> optimizer) where TRule : struct, IUpdateRule =>
                New<TRule, OnePass<TRule>>(Table(optimizer));

            public ToyStepper VisitGroupReducing<TRule>(GroupReducingRuleOptimizer<TRule> optimizer) where TRule : struct, IGroupReducingRule =>
                New<TRule, TwoPass<TRule>>(OneGroupTable(optimizer));

            // Adafactor's relative step: its learning rate is each run's own max(ε2, RMS(θ))·ρ_t (RelativeStepPass), not the lr axis.
            public ToyStepper VisitRelativeStep<TRule>(GroupReducingRuleOptimizer<TRule> optimizer) where TRule : struct, IRelativeStepRule =>
                optimizer.RuleAt(optimizer.Groups[0], 1).RelativeStep ? New<TRule, RelativeStepPass<TRule>>(OneGroupTable(optimizer)) : VisitGroupReducing(optimizer);

            private ToyStepper New<TRule, TPass>(TRule[] table) where TRule : struct, IUpdateRule where TPass : struct, IRulePass<TRule> =>
                noise == NoiseKind.Multiplicative ? new Stepper<TRule, MultiplicativeNoiseRule, TPass>(table) : new Stepper<TRule, AdditiveNoiseRule, TPass>(table);

            // A toy run's θ is one tensor: it must be one group of the rule (normalized SGD's tensor, adasgd's group, the one block of
            // blockwise_adam and adam_mini on a vector, muon's one 1×d matrix), so the group statistic is a per-lane reduction over the run's d coordinates.
            private TRule[] OneGroupTable<TRule>(GroupReducingRuleOptimizer<TRule> optimizer) where TRule : struct, IGroupReducingRule =>
                optimizer.ReductionGroupCount == 1 ? Table(optimizer)
                : throw new ArgumentException($"'{optimizer.Id}' splits one toy run into {optimizer.ReductionGroupCount} groups; the sweep engine reduces over the whole run only.");

            // Rules for t = 1…T, built in step order (nadam and schedule-free advance a per-group product).
            private TRule[] Table<TRule>(RuleOptimizer<TRule> optimizer) where TRule : struct, IUpdateRule
            {
                var table = new TRule[steps + 1];
                for (int t = 1; t <= steps; t++) table[t] = optimizer.RuleAt(optimizer.Groups[0], t);
                return table;
            }
        }

        private sealed class Stepper<TRule, TNoise, TPass>(TRule[] rules) : ToyStepper
            where TRule : struct, IUpdateRule where TNoise : struct, INoiseRule where TPass : struct, IRulePass<TRule>
        {
            public override int StateCount => TRule.StateCount;

            public override int GroupStates => TPass.Reduces ? 1 : 0;

            protected override bool RuleClipsFirstMoment => TRule.ClipsFirstMoment;

            public override void Step(long t, Vector256<float>* block, Vector256<float>* noise, in StepEnv env)
            {
                if (env.D == 2) Step2D<TRule, TNoise, TPass>(rules[t], block, noise, env);
                else StepND<TRule, TNoise, TPass>(rules[t], block, noise, env);
            }
        }
    }

    /// <summary>
    /// How a toy run's rule step goes: one pass of <see cref="IUpdateRule.Apply{TVec}"/> (per-coordinate rules), or for an
    /// <see cref="IGroupReducingRule"/> pass 1 over the run's d coordinates, the per-lane reduction of their total (each lane
    /// is one run, so the group statistic is per run and no lane reads another), then pass 2.
    /// </summary>
    private interface IRulePass<TRule> where TRule : struct, IUpdateRule
    {
        static abstract bool Reduces { get; }
        static abstract FloatVector256 Accumulate(in TRule rule, in RuleVectors<FloatVector256> c, FloatVector256 theta, FloatVector256 g,
            ref FloatVector256 s0, ref FloatVector256 s1, ref FloatVector256 s2, ref FloatVector256 s3);
        static abstract void Reduce(in TRule rule, ref RuleVectors<FloatVector256> c, FloatVector256 total, float count, ref FloatVector256 groupState);
        /// <summary>The learning rate each lane's run receives: the lr axis' <paramref name="lr"/>, or one computed from the run's d θ vectors (the relative step).</summary>
        static abstract FloatVector256 LearningRate(in TRule rule, float lr, Vector256<float>* theta, int d);
    }

    private struct OnePass<TRule> : IRulePass<TRule> where TRule : struct, IUpdateRule
    {
        public static bool Reduces => false;
        public static FloatVector256 Accumulate(in TRule rule, in RuleVectors<FloatVector256> c, FloatVector256 theta, FloatVector256 g,
            ref FloatVector256 s0, ref FloatVector256 s1, ref FloatVector256 s2, ref FloatVector256 s3) => throw new UnreachableException();
        public static void Reduce(in TRule rule, ref RuleVectors<FloatVector256> c, FloatVector256 total, float count, ref FloatVector256 groupState) => throw new UnreachableException();
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static FloatVector256 LearningRate(in TRule rule, float lr, Vector256<float>* theta, int d) => FloatVector256.Create(lr);
    }

    private struct TwoPass<TRule> : IRulePass<TRule> where TRule : struct, IGroupReducingRule
    {
        public static bool Reduces => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static FloatVector256 Accumulate(in TRule rule, in RuleVectors<FloatVector256> c, FloatVector256 theta, FloatVector256 g,
            ref FloatVector256 s0, ref FloatVector256 s1, ref FloatVector256 s2, ref FloatVector256 s3) => rule.Accumulate(c, theta, g, ref s0, ref s1, ref s2, ref s3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Reduce(in TRule rule, ref RuleVectors<FloatVector256> c, FloatVector256 total, float count, ref FloatVector256 groupState) =>
            rule.BroadcastGroup(rule.Reduce(c, total, count, ref groupState), ref c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static FloatVector256 LearningRate(in TRule rule, float lr, Vector256<float>* theta, int d) => FloatVector256.Create(lr);
    }

    private readonly struct StepEnv(Vector256<float> a, Vector256<float> wd, Vector256<float> c, Vector256<float>* q, int d, int stride, int nLr, float* lrs, int minSlot,
        FloatVector256* gradient, double clipFraction)
    {
        /// <summary>Top-k clipping fraction k of the gradient (0: off) and the rank of τ among a run's d coordinates (for d = 2, 0: the larger |g|, 1: the smaller).</summary>
        public readonly double ClipFraction = clipFraction;
        public readonly int ClipRank = clipFraction > 0 ? CoordinateClipping.Rank(d, clipFraction) : 0;
        /// <summary>Scratch for d gradient vectors (a group-reducing rule's two passes over an n-D run).</summary>
        public readonly FloatVector256* Gradient = gradient;
        /// <summary>Top-k clipping of an adaptive optimizer's first moment (off by default).</summary>
        public FirstMomentClipping FirstMomentClip { get; init; }
        public readonly int MinSlot = minSlot;
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

    /// <summary>
    /// One step of every learning rate on the 2-D valley, fused in a single pass: valley coordinates,
    /// loss tracking at the pre-step θ, gradient, noise and the optimizer's rule (FocusLab.Optim's, with this lane's lr and weight decay).
    /// State layout per run: θx θy, then each rule state k as s_k,x s_k,y (k < 4), a group-reducing rule's group state, minLoss maxU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Step2D<TRule, TNoise, TPass>(in TRule stepRule, Vector256<float>* block, Vector256<float>* noise, in StepEnv e)
        where TRule : struct, IUpdateRule where TNoise : struct, INoiseRule where TPass : struct, IRulePass<TRule>
    {
        var rule = stepRule; // a local copy: stores to the block cannot alias it, so its fields stay in registers
        var cs = e.Q[0]; var sn = e.Q[1]; var negSn = -sn;
        var a = e.A; var halfA = e.HalfA; var negC = -e.C; var wd = new FloatVector256(e.Wd);
        var n0 = noise[0]; var n1 = noise[1];
        int n = TRule.StateCount, min = e.MinSlot;
        bool clip = e.ClipFraction > 0, clipToSmaller = e.ClipRank > 0;
        var c = new RuleVectors<FloatVector256>();
        rule.BroadcastStep(ref c); // shared by every learning rate and lane
        for (int j = 0; j < e.NLr; j++)
        {
            var p = block + j * e.Stride;
            var x = p[0]; var y = p[1];
            // State goes through locals so the JIT keeps it in registers between the rule and the store.
            FloatVector256 sx0 = default, sy0 = default, sx1 = default, sy1 = default, sx2 = default, sy2 = default, sx3 = default, sy3 = default;
            if (n > 0) { sx0 = new(p[2]); sy0 = new(p[3]); }
            if (n > 1) { sx1 = new(p[4]); sy1 = new(p[5]); }
            if (n > 2) { sx2 = new(p[6]); sy2 = new(p[7]); }
            if (n > 3) { sx3 = new(p[8]); sy3 = new(p[9]); }
            var u = Vector256.FusedMultiplyAdd(cs, x, sn * y);
            var v = Vector256.FusedMultiplyAdd(cs, y, negSn * x);
            var uv = u * v;
            var loss = Vector256.FusedMultiplyAdd(halfA * uv, uv, negC * u);
            p[min] = MinIgnoringNaN(loss, p[min]);
            p[min + 1] = MaxIgnoringNaN(u, p[min + 1]);
            var auv = a * uv;
            var gu = Vector256.FusedMultiplyAdd(auv, v, negC); // ∂L/∂u = a u v² − c
            var gv = auv * u;                                  // ∂L/∂v = a u² v
            var gx = TNoise.Apply(Vector256.FusedMultiplyAdd(cs, gu, negSn * gv), n0);
            var gy = TNoise.Apply(Vector256.FusedMultiplyAdd(sn, gu, cs * gv), n1);
            if (clip)
            {
                // Top-k clipping over the run's two coordinates: τ is the larger |g| (rank 0, k < 1/2: nothing clipped) or the smaller.
                var ax = Vector256.Abs(gx); var ay = Vector256.Abs(gy);
                var tau = clipToSmaller ? Vector256.Min(ax, ay) : Vector256.Max(ax, ay);
                gx = Clamp(gx, tau); gy = Clamp(gy, tau);
            }
            rule.BroadcastRun(TPass.LearningRate(rule, e.Lrs[j], p, 2), wd, ref c);
            if (TRule.ClipsFirstMoment && e.FirstMomentClip.On) TRule.BroadcastFirstMomentThreshold(FirstMomentThreshold2D(rule, c, x, y, gx, gy, e.FirstMomentClip), ref c);
            var tx = new FloatVector256(x); var ty = new FloatVector256(y);
            if (TPass.Reduces)
            {
                // The run's group is its two coordinates: total = q_x + q_y, as the library sums a 2-coordinate tensor.
                var total = TPass.Accumulate(rule, c, tx, new FloatVector256(gx), ref sx0, ref sx1, ref sx2, ref sx3)
                    + TPass.Accumulate(rule, c, ty, new FloatVector256(gy), ref sy0, ref sy1, ref sy2, ref sy3);
                TPass.Reduce(rule, ref c, total, 2, ref *(FloatVector256*)(p + 2 + 2 * n));
            }
            rule.Apply(c, ref tx, new FloatVector256(gx), ref sx0, ref sx1, ref sx2, ref sx3);
            rule.Apply(c, ref ty, new FloatVector256(gy), ref sy0, ref sy1, ref sy2, ref sy3);
            p[0] = tx.V; p[1] = ty.V;
            if (n > 0) { p[2] = sx0.V; p[3] = sy0.V; }
            if (n > 1) { p[4] = sx1.V; p[5] = sy1.V; }
            if (n > 2) { p[6] = sx2.V; p[7] = sy2.V; }
            if (n > 3) { p[8] = sx3.V; p[9] = sy3.V; }
        }
    }

    /// <summary>
    /// One step on the n-dimensional valley. With u = q·θ and w = θ − u q (the part across the valley),
    /// L = (a/2) u² ‖w‖² − c u and ∇L = (a u ‖w‖² − c) q + a u² w: O(n) per step instead of rotating
    /// by the full frame. ‖w‖² is summed explicitly (not ‖θ‖² − u²) to avoid cancellation.
    /// State layout per run: θ[n], s0[n] … s3[n] (the rule's states), a group-reducing rule's group state, minLoss maxU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StepND<TRule, TNoise, TPass>(in TRule stepRule, Vector256<float>* block, Vector256<float>* noise, in StepEnv e)
        where TRule : struct, IUpdateRule where TNoise : struct, INoiseRule where TPass : struct, IRulePass<TRule>
    {
        var rule = stepRule; // a local copy: stores to the block cannot alias it
        int d = e.D, min = e.MinSlot; var q = e.Q;
        var wd = new FloatVector256(e.Wd);
        var c = new RuleVectors<FloatVector256>();
        rule.BroadcastStep(ref c); // shared by every learning rate and lane
        FloatVector256 unused = default;
        for (int j = 0; j < e.NLr; j++)
        {
            var th = block + (long)j * e.Stride;
            // States s0…s3 of coordinate i sit at th[(1 + k)·d + i]; FloatVector256 has Vector256's layout.
            var s = (FloatVector256*)(th + d);
            var (u, w2) = AxisAndCross(th, q, d);
            var loss = Vector256.FusedMultiplyAdd(e.HalfA * u * u, w2, -(e.C * u));
            th[min] = MinIgnoringNaN(loss, th[min]);
            th[min + 1] = MaxIgnoringNaN(u, th[min + 1]);
            var alpha = Vector256.FusedMultiplyAdd(e.A * u, w2, -e.C);
            var beta = e.A * u * u;
            rule.BroadcastRun(TPass.LearningRate(rule, e.Lrs[j], th, d), wd, ref c);
            int n = TRule.StateCount;
            if (TPass.Reduces || e.ClipFraction > 0 || (TRule.ClipsFirstMoment && e.FirstMomentClip.On))
            {
                // The whole gradient first (it waits in scratch), clipped by each run's top-k threshold; then pass 1 over the run's
                // coordinates (the group), summed in coordinate order per lane, and the reduction; then the rule.
                var grad = e.Gradient;
                for (int i = 0; i < d; i++) grad[i] = new FloatVector256(CoordinateGradient<TNoise>(alpha, beta, u, q[i], th[i], noise[i]));
                if (e.ClipFraction > 0) ClipTopK(grad, d, e.ClipRank);
                if (TRule.ClipsFirstMoment && e.FirstMomentClip.On) TRule.BroadcastFirstMomentThreshold(FirstMomentThresholdND(rule, c, th, grad, e), ref c);
                if (TPass.Reduces)
                {
                    var total = default(FloatVector256);
                    for (int i = 0; i < d; i++)
                        total += TPass.Accumulate(rule, c, new FloatVector256(th[i]), grad[i], ref n > 0 ? ref s[i] : ref unused, ref n > 1 ? ref s[d + i] : ref unused,
                            ref n > 2 ? ref s[2 * d + i] : ref unused, ref n > 3 ? ref s[3 * d + i] : ref unused);
                    TPass.Reduce(rule, ref c, total, d, ref s[n * d]);
                }
                for (int i = 0; i < d; i++)
                {
                    var tx = new FloatVector256(th[i]);
                    rule.Apply(c, ref tx, grad[i], ref n > 0 ? ref s[i] : ref unused, ref n > 1 ? ref s[d + i] : ref unused,
                        ref n > 2 ? ref s[2 * d + i] : ref unused, ref n > 3 ? ref s[3 * d + i] : ref unused);
                    th[i] = tx.V;
                }
                continue;
            }
            for (int i = 0; i < d; i++)
            {
                var x = th[i];
                var gi = CoordinateGradient<TNoise>(alpha, beta, u, q[i], x, noise[i]);
                var tx = new FloatVector256(x);
                rule.Apply(c, ref tx, new FloatVector256(gi), ref n > 0 ? ref s[i] : ref unused, ref n > 1 ? ref s[d + i] : ref unused,
                    ref n > 2 ? ref s[2 * d + i] : ref unused, ref n > 3 ? ref s[3 * d + i] : ref unused);
                th[i] = tx.V;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Clamp(Vector256<float> g, Vector256<float> tau) => Vector256.Min(Vector256.Max(g, -tau), tau);

    /// <summary>
    /// Top-k clipping (<see cref="CoordinateClipping"/>) of each run's d gradient coordinates: per lane, τ = the ⌊k·d⌋-th largest |g|
    /// (the library's selection, found for the eight lanes at once by <see cref="LaneTopK"/>), then g clamped to [−τ, τ].
    /// </summary>
    private static void ClipTopK(FloatVector256* grad, int d, int rank)
    {
        var t = LaneTopK.Threshold(grad, d, rank);
        for (int i = 0; i < d; i++) grad[i] = new FloatVector256(Clamp(grad[i].V, t));
    }

    /// <summary>Coordinate i of the noisy n-D valley gradient α q_i + β w_i, with w_i = θ_i − u q_i (see StepND).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> CoordinateGradient<TNoise>(Vector256<float> alpha, Vector256<float> beta, Vector256<float> u, Vector256<float> qi,
        Vector256<float> x, Vector256<float> noise) where TNoise : struct, INoiseRule
    {
        var wi = Vector256.FusedMultiplyAdd(-u, qi, x);
        return TNoise.Apply(Vector256.FusedMultiplyAdd(alpha, qi, beta * wi), noise);
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
