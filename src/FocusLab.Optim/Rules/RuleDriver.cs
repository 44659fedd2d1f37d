using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Optim;

/// <summary>
/// Runs an <see cref="IUpdateRule"/> over [start, end) of flat spans with the widest vector the
/// processor accelerates (512, 256 or 128 bits). The last partial vector is padded into a stack
/// buffer and run through the same rule, so no coordinate is computed by a second (scalar) copy of the
/// maths and a coordinate's result does not depend on where a range ends.
/// </summary>
public static class RuleDriver
{
    /// <summary>Floats per vector of the widest width the processor accelerates (<see cref="Run{TRule}"/> uses it unless the rule's <see cref="IUpdateRule.MaxVectorBits"/> is smaller).</summary>
    public static int Width { get; } = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    /// <summary>Applies <paramref name="rule"/> to coordinates [start, end). States beyond the rule's <see cref="IUpdateRule.StateCount"/>, or empty spans (optional buffers), are not touched.</summary>
    public static void Run<TRule>(in TRule rule, float lr, float weightDecay, Span<float> theta, ReadOnlySpan<float> grad,
        Span<float> s0, Span<float> s1, Span<float> s2, Span<float> s3, int start, int end) where TRule : struct, IUpdateRule
    {
        int width = Math.Min(Width, TRule.MaxVectorBits / 32);
        if (width == 16) Run<TRule, FloatVector512>(rule, lr, weightDecay, theta, grad, s0, s1, s2, s3, start, end);
        else if (width == 8) Run<TRule, FloatVector256>(rule, lr, weightDecay, theta, grad, s0, s1, s2, s3, start, end);
        else Run<TRule, FloatVector128>(rule, lr, weightDecay, theta, grad, s0, s1, s2, s3, start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TRule, TVec>(in TRule ruleIn, float lr, float weightDecay, Span<float> theta, ReadOnlySpan<float> grad,
        Span<float> s0, Span<float> s1, Span<float> s2, Span<float> s3, int start, int end)
        where TRule : struct, IUpdateRule where TVec : struct, IFloatVector<TVec>
    {
        // A local copy: stores through the spans cannot alias it, so the JIT keeps the rule's fields
        // (s3's p, its Nesterov flag…) in registers instead of reloading them for every vector.
        var rule = ruleIn;
        var c = new RuleVectors<TVec>();
        rule.BroadcastStep(ref c);
        rule.BroadcastRun(TVec.Create(lr), TVec.Create(weightDecay), ref c);
        int n = TRule.StateCount;
        bool h0 = n > 0 && !s0.IsEmpty, h1 = n > 1 && !s1.IsEmpty, h2 = n > 2 && !s2.IsEmpty, h3 = n > 3 && !s3.IsEmpty;
        int w = TVec.Count, body = start + (end - start) / w * w;
        ref float th = ref MemoryMarshal.GetReference(theta);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float r0 = ref MemoryMarshal.GetReference(s0), r1 = ref MemoryMarshal.GetReference(s1);
        ref float r2 = ref MemoryMarshal.GetReference(s2), r3 = ref MemoryMarshal.GetReference(s3);
        for (int i = start; i < body; i += w)
            Step(rule, c, ref th, ref gr, ref r0, ref r1, ref r2, ref r3, (nuint)i, h0, h1, h2, h3);
        if (body == end) return;

        // The tail: copy into zero-padded vectors, run the same rule, copy the real coordinates back.
        int k = end - body;
        Span<float> pad = stackalloc float[6 * 16];
        pad.Clear();
        theta.Slice(body, k).CopyTo(pad);
        grad.Slice(body, k).CopyTo(pad[16..]);
        if (h0) s0.Slice(body, k).CopyTo(pad[32..]);
        if (h1) s1.Slice(body, k).CopyTo(pad[48..]);
        if (h2) s2.Slice(body, k).CopyTo(pad[64..]);
        if (h3) s3.Slice(body, k).CopyTo(pad[80..]);
        ref float p = ref MemoryMarshal.GetReference(pad);
        Step(rule, c, ref p, ref Unsafe.Add(ref p, 16), ref Unsafe.Add(ref p, 32), ref Unsafe.Add(ref p, 48),
            ref Unsafe.Add(ref p, 64), ref Unsafe.Add(ref p, 80), 0, h0, h1, h2, h3);
        pad[..k].CopyTo(theta.Slice(body, k));
        if (h0) pad.Slice(32, k).CopyTo(s0.Slice(body, k));
        if (h1) pad.Slice(48, k).CopyTo(s1.Slice(body, k));
        if (h2) pad.Slice(64, k).CopyTo(s2.Slice(body, k));
        if (h3) pad.Slice(80, k).CopyTo(s3.Slice(body, k));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TRule, TVec>(in TRule rule, in RuleVectors<TVec> c, ref float th, ref float gr,
        ref float r0, ref float r1, ref float r2, ref float r3, nuint i, bool h0, bool h1, bool h2, bool h3)
        where TRule : struct, IUpdateRule where TVec : struct, IFloatVector<TVec>
    {
        var t = TVec.Load(ref th, i); var g = TVec.Load(ref gr, i);
        TVec a = default, b = default, d = default, e = default;
        if (h0) a = TVec.Load(ref r0, i);
        if (h1) b = TVec.Load(ref r1, i);
        if (h2) d = TVec.Load(ref r2, i);
        if (h3) e = TVec.Load(ref r3, i);
        rule.Apply(c, ref t, g, ref a, ref b, ref d, ref e);
        TVec.Store(t, ref th, i);
        if (h0) TVec.Store(a, ref r0, i);
        if (h1) TVec.Store(b, ref r1, i);
        if (h2) TVec.Store(d, ref r2, i);
        if (h3) TVec.Store(e, ref r3, i);
    }
}
