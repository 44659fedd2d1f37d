using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Runs an <see cref="IUpdateRule"/> over [start, end) of flat spans with the widest vector the
/// processor accelerates (512, 256 or 128 bits). The last partial vector is padded into a stack
/// buffer and run through the same rule, so no coordinate is computed by a second (scalar) copy of the
/// maths and a coordinate's result does not depend on where a range ends. For an <see cref="IGroupReducingRule"/>
/// it also runs pass 1 (<see cref="Accumulate{TRule}"/>) and the group's reduction (<see cref="Reduce{TRule}"/>).
/// </summary>
public static class RuleDriver
{
    /// <summary>Floats per vector of the widest width the processor accelerates (<see cref="Run{TRule}"/> uses it unless the rule's <see cref="IUpdateRule.MaxVectorBits"/> is smaller).</summary>
    public static int Width { get; } = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    private static int WidthOf<TRule>() where TRule : struct, IUpdateRule => Math.Min(Width, TRule.MaxVectorBits / 32);

    /// <summary>Applies <paramref name="rule"/> to coordinates [start, end). States beyond the rule's <see cref="IUpdateRule.StateCount"/>, or empty spans (optional buffers), are not touched.</summary>
    public static void Run<TRule>(in TRule rule, float lr, float weightDecay, Span<float> theta, ReadOnlySpan<float> grad,
        Span<float> s0, Span<float> s1, Span<float> s2, Span<float> s3, int start, int end) where TRule : struct, IUpdateRule
    {
        var spans = new RuleSpans(theta, grad, s0, s1, s2, s3);
        int width = WidthOf<TRule>();
        if (width == 16) Sweep<TRule, FloatVector512, ApplyPass<TRule>>(rule, Coefficients<TRule, FloatVector512>(rule, lr, weightDecay), spans, start, end);
        else if (width == 8) Sweep<TRule, FloatVector256, ApplyPass<TRule>>(rule, Coefficients<TRule, FloatVector256>(rule, lr, weightDecay), spans, start, end);
        else Sweep<TRule, FloatVector128, ApplyPass<TRule>>(rule, Coefficients<TRule, FloatVector128>(rule, lr, weightDecay), spans, start, end);
    }

    /// <summary>Pass 2 of a group-reducing rule over [start, end): as <see cref="Run{TRule}"/>, with the group's coefficient from <see cref="Reduce{TRule}"/>.</summary>
    public static void RunWithGroupCoefficient<TRule>(in TRule rule, float lr, float weightDecay, float groupCoefficient, Span<float> theta, ReadOnlySpan<float> grad,
        Span<float> s0, Span<float> s1, Span<float> s2, Span<float> s3, int start, int end) where TRule : struct, IGroupReducingRule
    {
        var spans = new RuleSpans(theta, grad, s0, s1, s2, s3);
        int width = WidthOf<TRule>();
        if (width == 16) Sweep<TRule, FloatVector512, ApplyPass<TRule>>(rule, GroupCoefficients<TRule, FloatVector512>(rule, lr, weightDecay, groupCoefficient), spans, start, end);
        else if (width == 8) Sweep<TRule, FloatVector256, ApplyPass<TRule>>(rule, GroupCoefficients<TRule, FloatVector256>(rule, lr, weightDecay, groupCoefficient), spans, start, end);
        else Sweep<TRule, FloatVector128, ApplyPass<TRule>>(rule, GroupCoefficients<TRule, FloatVector128>(rule, lr, weightDecay, groupCoefficient), spans, start, end);
    }

    /// <summary>
    /// Pass 1 of a group-reducing rule over [start, end): runs <see cref="IGroupReducingRule.Accumulate{TVec}"/> (storing the
    /// states it updates) and returns the range's part of the group's total: summed lane-wise in float vectors, then across
    /// the lanes in lane order (fixed for a machine, so the result does not depend on threads).
    /// </summary>
    public static double Accumulate<TRule>(in TRule rule, float lr, float weightDecay, Span<float> theta, ReadOnlySpan<float> grad,
        Span<float> s0, Span<float> s1, Span<float> s2, Span<float> s3, int start, int end) where TRule : struct, IGroupReducingRule
    {
        var spans = new RuleSpans(theta, grad, s0, s1, s2, s3);
        int width = WidthOf<TRule>();
        if (width == 16) return LaneSum(Sweep<TRule, FloatVector512, AccumulatePass<TRule>>(rule, Coefficients<TRule, FloatVector512>(rule, lr, weightDecay), spans, start, end));
        if (width == 8) return LaneSum(Sweep<TRule, FloatVector256, AccumulatePass<TRule>>(rule, Coefficients<TRule, FloatVector256>(rule, lr, weightDecay), spans, start, end));
        return LaneSum(Sweep<TRule, FloatVector128, AccumulatePass<TRule>>(rule, Coefficients<TRule, FloatVector128>(rule, lr, weightDecay), spans, start, end));
    }

    /// <summary>
    /// The group's coefficient from its <paramref name="total"/> (the sum of <see cref="Accumulate{TRule}"/> over the group, rounded
    /// to float) over <paramref name="count"/> coordinates, updating the group's scalar state <paramref name="groupState"/> (held in
    /// float arithmetic: the same operations the sweep engine runs per lane).
    /// </summary>
    public static float Reduce<TRule>(in TRule rule, float lr, float weightDecay, double total, long count, ref double groupState) where TRule : struct, IGroupReducingRule
    {
        var c = Coefficients<TRule, FloatVector128>(rule, lr, weightDecay);
        var state = FloatVector128.Create((float)groupState);
        float coefficient = rule.Reduce(c, FloatVector128.Create((float)total), count, ref state).V.ToScalar();
        groupState = state.V.ToScalar();
        return coefficient;
    }

    private static RuleVectors<TVec> Coefficients<TRule, TVec>(in TRule rule, float lr, float weightDecay)
        where TRule : struct, IUpdateRule where TVec : struct, IFloatVector<TVec>
    {
        var c = new RuleVectors<TVec>();
        rule.BroadcastStep(ref c);
        rule.BroadcastRun(TVec.Create(lr), TVec.Create(weightDecay), ref c);
        return c;
    }

    private static RuleVectors<TVec> GroupCoefficients<TRule, TVec>(in TRule rule, float lr, float weightDecay, float groupCoefficient)
        where TRule : struct, IGroupReducingRule where TVec : struct, IFloatVector<TVec>
    {
        var c = Coefficients<TRule, TVec>(rule, lr, weightDecay);
        rule.BroadcastGroup(TVec.Create(groupCoefficient), ref c);
        return c;
    }

    private static double LaneSum<TVec>(TVec acc) where TVec : struct, IFloatVector<TVec>
    {
        Span<float> lanes = stackalloc float[16];
        TVec.Store(acc, ref MemoryMarshal.GetReference(lanes), 0);
        float s = 0;
        for (int k = 0; k < TVec.Count; k++) s += lanes[k];
        return s;
    }

    private readonly ref struct RuleSpans(Span<float> theta, ReadOnlySpan<float> grad, Span<float> s0, Span<float> s1, Span<float> s2, Span<float> s3)
    {
        public readonly Span<float> Theta = theta, S0 = s0, S1 = s1, S2 = s2, S3 = s3;
        public readonly ReadOnlySpan<float> Grad = grad;
    }

    /// <summary>What a sweep does with one vector of coordinates.</summary>
    private interface IPass<TRule> where TRule : struct, IUpdateRule
    {
        /// <summary>States the pass reads and writes (the first k).</summary>
        static abstract int States { get; }

        /// <summary>Whether the pass changes θ (pass 1 of a group-reducing rule does not: θ is not stored back, and its results are summed instead).</summary>
        static abstract bool WritesTheta { get; }

        /// <summary>Whether the pass reads θ (a pass that neither reads nor writes it does not stream it).</summary>
        static abstract bool ReadsTheta { get; }

        /// <summary>Runs the pass on one vector; returns its contribution to the total (pass 1 of a group-reducing rule) or default.</summary>
        static abstract TVec Step<TVec>(in TRule rule, in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3)
            where TVec : struct, IFloatVector<TVec>;
    }

    private struct ApplyPass<TRule> : IPass<TRule> where TRule : struct, IUpdateRule
    {
        public static int States => TRule.StateCount;
        public static bool WritesTheta => true;
        public static bool ReadsTheta => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Step<TVec>(in TRule rule, in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3)
            where TVec : struct, IFloatVector<TVec>
        {
            rule.Apply(c, ref theta, g, ref s0, ref s1, ref s2, ref s3);
            return default;
        }
    }

    private struct AccumulatePass<TRule> : IPass<TRule> where TRule : struct, IGroupReducingRule
    {
        public static int States => TRule.AccumulateStateCount;
        public static bool WritesTheta => false;
        public static bool ReadsTheta => TRule.AccumulateReadsTheta;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Step<TVec>(in TRule rule, in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3)
            where TVec : struct, IFloatVector<TVec> => rule.Accumulate(c, theta, g, ref s0, ref s1, ref s2, ref s3);
    }

    // The rule is inlined at exactly one place per method: the body loop here and the padded last vector in Tail.
    // Each inlined copy of a large rule (s3's cube root) spends the JIT's inlining budget for the whole method; with
    // four copies it ran out and left even the per-vector call to Step out of line (s3's step took 200 ms, not 30).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TVec Sweep<TRule, TVec, TPass>(in TRule ruleIn, in RuleVectors<TVec> c, in RuleSpans spans, int start, int end)
        where TRule : struct, IUpdateRule where TVec : struct, IFloatVector<TVec> where TPass : struct, IPass<TRule>
    {
        // A local copy: stores through the spans cannot alias it, so the JIT keeps the rule's fields
        // (s3's p, its Nesterov flag…) in registers instead of reloading them for every vector.
        var rule = ruleIn;
        int n = TPass.States;
        bool h0 = n > 0 && !spans.S0.IsEmpty, h1 = n > 1 && !spans.S1.IsEmpty, h2 = n > 2 && !spans.S2.IsEmpty, h3 = n > 3 && !spans.S3.IsEmpty;
        int w = TVec.Count, body = start + (end - start) / w * w;
        ref float th = ref MemoryMarshal.GetReference(spans.Theta);
        ref float gr = ref MemoryMarshal.GetReference(spans.Grad);
        ref float r0 = ref MemoryMarshal.GetReference(spans.S0), r1 = ref MemoryMarshal.GetReference(spans.S1);
        ref float r2 = ref MemoryMarshal.GetReference(spans.S2), r3 = ref MemoryMarshal.GetReference(spans.S3);
        // Pass 1 sums lane-wise into two accumulators that take turns (vectors 0, 2, 4… and 1, 3, 5…: two dependency
        // chains), then the padded last vector into the first, and adds them at the end. The order is fixed by the
        // range, so the total does not depend on threads.
        TVec acc = default, other = default;
        for (int i = start; i < body; i += w)
        {
            var q = Step<TRule, TVec, TPass>(rule, c, ref th, ref gr, ref r0, ref r1, ref r2, ref r3, (nuint)i, h0, h1, h2, h3);
            if (!TPass.WritesTheta) (acc, other) = (other, acc + q);
        }
        if (body < end) acc += Tail<TRule, TVec, TPass>(rule, c, spans, body, end, h0, h1, h2, h3);
        return acc + other;
    }

    /// <summary>The last partial vector: copied into zero-padded vectors, run through the same rule, the real coordinates copied back.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TVec Tail<TRule, TVec, TPass>(in TRule rule, in RuleVectors<TVec> c, in RuleSpans spans, int body, int end, bool h0, bool h1, bool h2, bool h3)
        where TRule : struct, IUpdateRule where TVec : struct, IFloatVector<TVec> where TPass : struct, IPass<TRule>
    {
        int k = end - body;
        Span<float> pad = stackalloc float[6 * 16];
        pad.Clear();
        if (TPass.ReadsTheta) spans.Theta.Slice(body, k).CopyTo(pad);
        spans.Grad.Slice(body, k).CopyTo(pad[16..]);
        if (h0) spans.S0.Slice(body, k).CopyTo(pad[32..]);
        if (h1) spans.S1.Slice(body, k).CopyTo(pad[48..]);
        if (h2) spans.S2.Slice(body, k).CopyTo(pad[64..]);
        if (h3) spans.S3.Slice(body, k).CopyTo(pad[80..]);
        ref float p = ref MemoryMarshal.GetReference(pad);
        var q = Step<TRule, TVec, TPass>(rule, c, ref p, ref Unsafe.Add(ref p, 16), ref Unsafe.Add(ref p, 32), ref Unsafe.Add(ref p, 48),
            ref Unsafe.Add(ref p, 64), ref Unsafe.Add(ref p, 80), 0, h0, h1, h2, h3);
        if (TPass.WritesTheta) pad[..k].CopyTo(spans.Theta.Slice(body, k));
        if (h0) pad.Slice(32, k).CopyTo(spans.S0.Slice(body, k));
        if (h1) pad.Slice(48, k).CopyTo(spans.S1.Slice(body, k));
        if (h2) pad.Slice(64, k).CopyTo(spans.S2.Slice(body, k));
        if (h3) pad.Slice(80, k).CopyTo(spans.S3.Slice(body, k));
        return q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Step<TRule, TVec, TPass>(in TRule rule, in RuleVectors<TVec> c, ref float th, ref float gr,
        ref float r0, ref float r1, ref float r2, ref float r3, nuint i, bool h0, bool h1, bool h2, bool h3)
        where TRule : struct, IUpdateRule where TVec : struct, IFloatVector<TVec> where TPass : struct, IPass<TRule>
    {
        var t = TPass.ReadsTheta ? TVec.Load(ref th, i) : default; var g = TVec.Load(ref gr, i);
        TVec a = default, b = default, d = default, e = default;
        if (h0) a = TVec.Load(ref r0, i);
        if (h1) b = TVec.Load(ref r1, i);
        if (h2) d = TVec.Load(ref r2, i);
        if (h3) e = TVec.Load(ref r3, i);
        var q = TPass.Step(rule, c, ref t, g, ref a, ref b, ref d, ref e);
        if (TPass.WritesTheta) TVec.Store(t, ref th, i);
        if (h0) TVec.Store(a, ref r0, i);
        if (h1) TVec.Store(b, ref r1, i);
        if (h2) TVec.Store(d, ref r2, i);
        if (h3) TVec.Store(e, ref r3, i);
        return q;
    }
}
