namespace FocusLab.Optim.Tests.Validation;

/// <summary>
/// Spec strings typed by hand (issue 12): empty settings are refused instead of silently meaning
/// "defaults", names are case-insensitive like ids, non-finite values get the valid range, and two
/// specs are compared by value.
/// </summary>
public sealed class SpecParsingTests
{
    private static Optimizer Build(string spec) => OptimizerFactory.Create(spec, [new Parameter("w", 3, 4)]);

    [Theory]
    [InlineData("focus:,", "empty setting")]
    [InlineData("focus:lr=1e-3,,beta2=0.99", "empty setting")]
    [InlineData("focus:lr=1e-3,", "empty setting")]
    [InlineData("focus:", "nothing after ':'")]
    [InlineData("focus: ", "nothing after ':'")]
    [InlineData("focus:lr= ", "empty value")]
    [InlineData("focus: =1", "empty name")]
    public void Empty_settings_are_refused_with_the_expected_form(string spec, string what)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Build(spec));
        Assert.Contains(what, e.Message);
        Assert.Contains("lr=1e-3", e.Message); // an example of the right form
    }

    [Fact]
    public void Setting_names_are_case_insensitive()
    {
        var upper = Build("FOCUS:LR=0.002,Beta2=0.95");
        Assert.Equal(0.002, upper.Groups[0].Lr);
        Assert.Equal(0.95, upper.Groups[0].Get("beta2"));
        var e = Assert.ThrowsAny<ArgumentException>(() => Build("adam:lr=1e-3,LR=2e-3"));
        Assert.Contains("twice", e.Message);
    }

    [Theory]
    [InlineData("focus:lr=inf", "lr", "a finite number ≥ 0")]
    [InlineData("focus:lr=-Infinity", "lr", "a finite number ≥ 0")]
    [InlineData("adam:beta1=nan", "beta1", "a finite number in [0, 1)")]
    [InlineData("adamw:weight_decay=1e999", "weight_decay", "a finite number ≥ 0")]
    public void Non_finite_values_are_refused_with_the_valid_range(string spec, string name, string range)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Build(spec));
        Assert.Contains($"{name} = ", e.Message);
        Assert.Contains("not a finite number", e.Message);
        Assert.Contains(range, e.Message);
        Assert.DoesNotContain("cannot read", e.Message);
    }

    [Theory]
    [InlineData("focus:lr=0.001", "focus:lr=1e-3")]
    [InlineData("focus:lr=1E-3,beta2=0.99", "Focus:beta2=9.9e-1,LR=0.001")]
    [InlineData("focus", "focus:gamma=0.1")]                 // a left-out setting is its default
    [InlineData("s3:nesterov=true", "s3:nesterov=True")]
    [InlineData("adam", "adam:cautious=false")]
    public void Specs_that_build_the_same_optimizer_have_no_differences(string a, string b) =>
        Assert.Empty(OptimizerFactory.Differences(a, b));

    [Fact]
    public void Every_difference_is_listed_with_both_values()
    {
        var d = OptimizerFactory.Differences("focus:lr=1e-3,gamma=0.2", "focus:lr=2e-3,beta2=0.9,gamma=0.2,update_clip=2");
        Assert.Equal(["beta2 0.999 → 0.9", "lr 0.001 → 0.002", "update_clip (not set) → 2"], d);
        Assert.Equal(["optimizer focus → adamw"], OptimizerFactory.Differences("focus:lr=1e-3", "adamw:lr=1e-3"));
    }
}
