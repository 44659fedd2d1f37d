using System.Runtime.Intrinsics;
using FocusLab.Lab.Sweeps;
using FocusLab.Optim;

namespace FocusLab.Lab.Tests.Sweeps;

/// <summary>
/// The sweep's lane-parallel top-k threshold selects, in every lane, the same τ as the library's quickselect
/// (<see cref="CoordinateClipping.Threshold"/>) on that lane's |x|: bit for bit, on gradients with ties, zeros of both signs,
/// subnormals, ±∞ and values spread over many binades, for d = 1, 2, 3, 7, 100 and fractions k from 0 to 1.
/// </summary>
public unsafe class LaneTopKTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    public void EveryLaneSelectsTheLibrarysThresholdBitForBit(int d)
    {
        var rng = new Random(1234 + d);
        var x = new FloatVector256[d];
        var lane = new float[d];
        double[] fractions = [0, 0.01, 0.1, 0.3, 0.45, 0.5, 0.9, 1];
        for (int trial = 0; trial < 40; trial++)
        {
            for (int i = 0; i < d; i++)
            {
                var v = new float[SweepEngine.Lanes];
                for (int l = 0; l < v.Length; l++) v[l] = Draw(rng, trial);
                x[i] = new FloatVector256(Vector256.Create(v));
            }
            foreach (double k in fractions)
            {
                int rank = CoordinateClipping.Rank(d, k);
                Vector256<float> tau;
                fixed (FloatVector256* p = x) tau = LaneTopK.Threshold(p, d, rank);
                for (int l = 0; l < SweepEngine.Lanes; l++)
                {
                    for (int i = 0; i < d; i++) lane[i] = MathF.Abs(x[i].V.GetElement(l));
                    float want = CoordinateClipping.Threshold(lane, k);
                    Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(tau.GetElement(l)),
                        $"d {d} trial {trial} k {k} lane {l}: library τ {want:R}, lanes {tau.GetElement(l):R}");
                }
            }
        }
    }

    /// <summary>A gradient coordinate: mostly spread over many binades and signs, often one of a few repeated values (ties), sometimes ±0, a subnormal or ±∞.</summary>
    private static float Draw(Random rng, int trial)
    {
        float sign = rng.Next(2) == 0 ? 1 : -1;
        int kind = trial % 4 == 0 ? rng.Next(3) : rng.Next(12); // every fourth trial: ties and zeros only
        return kind switch
        {
            0 => sign * 0f,
            1 or 2 => sign * (1 + rng.Next(3)) * 0.25f,
            3 => sign * 1e-40f * (1 + rng.Next(5)),
            4 => rng.Next(20) == 0 ? sign * float.PositiveInfinity : sign * 3f,
            _ => sign * (float)Math.Exp(rng.NextDouble() * 40 - 20),
        };
    }
}
