using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FocusLab.Optim.Tests.Clipping;

/// <summary>
/// The rule members through which the phase sweep engine clips an adaptive optimizer's first moment with one τ per lane
/// (<see cref="IUpdateRule.ClipsFirstMoment"/>): the rule's threshold gradient is, bit for bit, the gradient the optimizer selects τ
/// from (<see cref="IFirstMomentClipping.EffectiveGradient"/>: g + wd θ under adam's coupled L2), and thresholds stored per lane
/// (<see cref="IUpdateRule.BroadcastFirstMomentThreshold{TVec}"/>) step every lane exactly as the rule the library builds with that
/// lane's τ (+∞ included: no clipping). The library's own τ goes through the same store in BroadcastStep, which the golden vectors check.
/// </summary>
public sealed class FirstMomentThresholdTests
{
    public static TheoryData<string> Specs => new()
    {
        "adam:weight_decay=0.3", "adamw:weight_decay=0.3", "adam_clip:weight_decay=0.2", "adasgd:weight_decay=0.1", "blockwise_adam",
        "adam_mini", "adafactor:relative_step=false,weight_decay=0.1", "adafactor:relative_step=false,beta1=0.9",
    };

    private const int N = 20; // five 4-lane vectors
    private static readonly float[] LaneTaus = [0.1f, 0.5f, float.PositiveInfinity, 1e-3f];

    private static (Optimizer Optimizer, Parameter P) Build(string spec)
    {
        var rng = new TestRandom(7);
        var p = new Parameter("w", rng.NormalArray(N, 2));
        rng.NormalArray(N).CopyTo(p.GradSpan);
        var optimizer = OptimizerFactory.Create(spec + (spec.Contains(':') ? "," : ":") + "lr=0.01", [new ParameterGroupSpec([p])]);
        Assert.True(optimizer is IFirstMomentClipping and IRuleOptimizer, $"{spec} clips its first moment through its rule");
        return (optimizer, p);
    }

    [Theory, MemberData(nameof(Specs))]
    public void The_rules_threshold_gradient_is_the_optimizers_effective_gradient_bit_for_bit(string spec)
    {
        var (optimizer, p) = Build(spec);
        var want = new float[N];
        ((IFirstMomentClipping)optimizer).EffectiveGradient(optimizer.Groups[0], p, want);
        var got = ((IRuleOptimizer)optimizer).Accept(new ThresholdGradient(optimizer.Groups[0], p));
        for (int i = 0; i < N; i++)
            Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]), $"{spec} [{i}]: EffectiveGradient {want[i]:R}, rule {got[i]:R}");
    }

    [Theory, MemberData(nameof(Specs))]
    public void Thresholds_stored_per_lane_step_each_lane_as_the_rule_built_with_its_threshold(string spec)
    {
        var (optimizer, p) = Build(spec);
        ((IRuleOptimizer)optimizer).Accept(new PerLaneThresholds(spec, optimizer, p));
    }

    private static (float Lr, float Wd) LrAndWd(ParameterGroup group) => ((float)group.Lr, (float)group.Get("weight_decay"));

    private static RuleVectors<FloatVector128> Coefficients<TRule>(in TRule rule, ParameterGroup group) where TRule : struct, IUpdateRule
    {
        var (lr, wd) = LrAndWd(group);
        var c = new RuleVectors<FloatVector128>();
        rule.BroadcastStep(ref c);
        rule.BroadcastRun(FloatVector128.Create(lr), FloatVector128.Create(wd), ref c);
        return c;
    }

    private static FloatVector128 Load(float[] a, int i) => FloatVector128.Load(ref MemoryMarshal.GetArrayDataReference(a), (nuint)i);

    private sealed class ThresholdGradient(ParameterGroup group, Parameter p) : IRuleOptimizerVisitor<float[]>
    {
        public float[] Visit<TRule>(RuleOptimizer<TRule> optimizer) where TRule : struct, IUpdateRule
        {
            Assert.True(TRule.ClipsFirstMoment);
            var rule = optimizer.RuleAt(group, 1);
            var c = Coefficients(rule, group);
            float[] theta = p.DataSpan.ToArray(), grad = p.GradSpan.ToArray(), result = new float[N];
            for (int i = 0; i < N; i += 4)
                FloatVector128.Store(rule.FirstMomentThresholdGradient(c, Load(theta, i), Load(grad, i)), ref result[0], (nuint)i);
            return result;
        }

        public float[] VisitGroupReducing<TRule>(GroupReducingRuleOptimizer<TRule> optimizer) where TRule : struct, IGroupReducingRule => Visit(optimizer);
    }

    /// <summary>Lane l of one vector step with the τ of every lane stored over the rule's own equals lane l of the step of the rule built with τ_l.</summary>
    private sealed class PerLaneThresholds(string spec, Optimizer optimizer, Parameter p) : IRuleOptimizerVisitor<bool>
    {
        private readonly ParameterGroup _group = optimizer.Groups[0];

        public bool Visit<TRule>(RuleOptimizer<TRule> o) where TRule : struct, IUpdateRule => Check(o, reduces: false, (in TRule r, in RuleVectors<FloatVector128> c, FloatVector128 th, FloatVector128 g, ref FloatVector128 s0, ref FloatVector128 s1) => default);

        public bool VisitGroupReducing<TRule>(GroupReducingRuleOptimizer<TRule> o) where TRule : struct, IGroupReducingRule =>
            Check(o, reduces: true, (in TRule r, in RuleVectors<FloatVector128> c, FloatVector128 th, FloatVector128 g, ref FloatVector128 s0, ref FloatVector128 s1) =>
            {
                FloatVector128 s2 = default, s3 = default;
                return r.Accumulate(c, th, g, ref s0, ref s1, ref s2, ref s3);
            });

        private delegate FloatVector128 Pass1<TRule>(in TRule rule, in RuleVectors<FloatVector128> c, FloatVector128 theta, FloatVector128 g, ref FloatVector128 s0, ref FloatVector128 s1);

        private bool Check<TRule>(RuleOptimizer<TRule> o, bool reduces, Pass1<TRule> accumulate) where TRule : struct, IUpdateRule
        {
            var clipping = (IFirstMomentClipping)optimizer;
            clipping.SetFirstMomentThreshold(_group, 0); // finite: clipping on, as the sweep engine builds its rules
            var shared = o.RuleAt(_group, 3);
            var c = Coefficients(shared, _group);
            TRule.BroadcastFirstMomentThreshold(FloatVector128.Load(ref LaneTaus[0], 0), ref c);
            var rng = new TestRandom(11);
            float[] theta = p.DataSpan.ToArray(), grad = p.GradSpan.ToArray();
            float[] m = rng.NormalArray(N, 0.1), v = rng.NormalArray(N, 0.1).Select(x => x * x + 1e-3f).ToArray();
            for (int lane = 0; lane < 4; lane++)
            {
                clipping.SetFirstMomentThreshold(_group, LaneTaus[lane]);
                var own = o.RuleAt(_group, 3);
                var cl = Coefficients(own, _group);
                for (int i = 0; i < N; i += 4)
                {
                    var a = Step(shared, c, reduces, accumulate, Load(theta, i), Load(grad, i), Load(m, i), Load(v, i));
                    var b = Step(own, cl, reduces, accumulate, Load(theta, i), Load(grad, i), Load(m, i), Load(v, i));
                    for (int k = 0; k < a.Length; k++)
                        Assert.True(BitConverter.SingleToInt32Bits(a[k].V.GetElement(lane)) == BitConverter.SingleToInt32Bits(b[k].V.GetElement(lane)),
                            $"{spec} coordinate {i + lane}, output {k} (θ, s0, s1, pass 1), τ {LaneTaus[lane]}: per lane {a[k].V.GetElement(lane):R}, own rule {b[k].V.GetElement(lane):R}");
                }
            }
            return true;
        }

        private static FloatVector128[] Step<TRule>(in TRule rule, RuleVectors<FloatVector128> c, bool reduces, Pass1<TRule> accumulate,
            FloatVector128 theta, FloatVector128 g, FloatVector128 s0, FloatVector128 s1) where TRule : struct, IUpdateRule
        {
            FloatVector128 q = default, s2 = default, s3 = default;
            if (reduces)
            {
                q = accumulate(rule, c, theta, g, ref s0, ref s1);
                ((IGroupReducingRule)rule).BroadcastGroup(FloatVector128.Create(0.7f), ref c);
            }
            rule.Apply(c, ref theta, g, ref s0, ref s1, ref s2, ref s3);
            return [theta, s0, s1, q];
        }
    }
}
