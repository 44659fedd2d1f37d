using FocusLab.Cli.Terminal;

namespace FocusLab.Cli.Tests;

public class HumanUnitsTests
{
    [Theory]
    [InlineData(28_800_000_000.0, "2.88e10")]
    [InlineData(99_999_000_000.0, "1e11")]      // rounding the mantissa up to 10 moves the exponent
    [InlineData(123_456, "1.23e5")]
    [InlineData(4_200, "4200")]
    public void Counts_are_exact_when_small_and_a_power_of_ten_when_large(double n, string text) => Assert.Equal(text, HumanUnits.Count(n));

    [Theory]
    [InlineData(0.4249, "0.42 s")]
    [InlineData(17.2, "17 s")]
    [InlineData(185, "3 min 5 s")]
    [InlineData(7450, "2 h 4 min")]
    public void Durations_use_the_largest_sensible_unit(double s, string text) => Assert.Equal(text, HumanUnits.Seconds(s));

    [Fact]
    public void Booleans_are_words() => Assert.Equal(["yes", "no"], new[] { HumanUnits.YesNo(true), HumanUnits.YesNo(false) });
}
