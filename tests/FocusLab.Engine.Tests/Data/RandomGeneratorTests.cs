using FocusLab.Engine.Data.Sampling;

namespace FocusLab.Engine.Tests.Data;

/// <summary>Reference outputs computed with an independent Python implementation of the published algorithms.</summary>
public class RandomGeneratorTests
{
    [Fact]
    public void SplitMix64_matches_reference_outputs()
    {
        var sm = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, expected.Select(_ => sm.Next()).ToArray());
    }

    [Fact]
    public void Xoshiro256StarStar_matches_reference_outputs_from_state_1_2_3_4()
    {
        var rng = new Xoshiro256StarStar(new Xoshiro256State(1, 2, 3, 4));
        ulong[] expected = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600];
        Assert.Equal(expected, expected.Select(_ => rng.NextUInt64()).ToArray());
    }

    [Fact]
    public void Seeding_expands_the_seed_with_splitmix64()
    {
        var rng = new Xoshiro256StarStar(42);
        ulong[] expected = [1546998764402558742, 6990951692964543102, 12544586762248559009, 17057574109182124193];
        Assert.Equal(expected, expected.Select(_ => rng.NextUInt64()).ToArray());
    }

    [Fact]
    public void State_round_trips_through_bytes_and_resumes_the_sequence()
    {
        var rng = new Xoshiro256StarStar(9);
        for (int i = 0; i < 17; i++) rng.NextUInt64();
        var bytes = new byte[Xoshiro256State.ByteSize];
        rng.State.WriteTo(bytes);
        var copy = new Xoshiro256StarStar(Xoshiro256State.ReadFrom(bytes));
        for (int i = 0; i < 100; i++) Assert.Equal(rng.NextUInt64(), copy.NextUInt64());
    }

    [Fact]
    public void All_zero_state_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Xoshiro256StarStar(new Xoshiro256State(0, 0, 0, 0)));
    }

    [Fact]
    public void NextBelow_stays_in_range_and_is_close_to_uniform()
    {
        var rng = new Xoshiro256StarStar(3);
        const int draws = 60000, bound = 6;
        var counts = new int[bound];
        for (int i = 0; i < draws; i++) counts[rng.NextBelow(bound)]++;
        // Each count ~ Binomial(60000, 1/6): mean 10000, sd ≈ 91; allow 5 sd.
        Assert.All(counts, c => Assert.InRange(c, 10000 - 456, 10000 + 456));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextBelow(0));
        Assert.Equal(0UL, rng.NextBelow(1));
        // A bound just above 2^63 rejects almost half the raw draws; results must still be below it.
        ulong big = (1UL << 63) + 12345;
        for (int i = 0; i < 1000; i++) Assert.True(rng.NextBelow(big) < big);
    }

    [Fact]
    public void NextDouble_is_in_unit_interval()
    {
        var rng = new Xoshiro256StarStar(5);
        for (int i = 0; i < 10000; i++) Assert.InRange(rng.NextDouble(), 0.0, 0.9999999999999999);
    }
}
