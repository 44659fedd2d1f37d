namespace FocusLab.Optim.Tests.Validation;

/// <summary>Invalid specs are refused up front with an <see cref="ArgumentException"/> naming the parameter and what would be valid.</summary>
public sealed class SpecValidationTests
{
    private static ArgumentException Refused(string spec) =>
        Assert.ThrowsAny<ArgumentException>(() => OptimizerFactory.Create(spec, [new Parameter("w", 3, 4)]));

    [Theory]
    [InlineData("adamw:lr=-1e-3", "lr", "≥ 0")]
    [InlineData("adam:beta1=1", "beta1", "[0, 1)")]
    [InlineData("focus:beta2=-0.1", "beta2", "[0, 1)")]
    [InlineData("s3:p=0.5", "p", "≥ 1")]
    [InlineData("adam:clip_fraction=1.5", "clip_fraction", "[0, 1]")]
    [InlineData("sgd_clip:clip_fraction=-0.1", "clip_fraction", "[0, 1]")]
    [InlineData("lion:weight_decay=-0.1", "weight_decay", "≥ 0")]
    [InlineData("signum:lr=abc", "lr", "≥ 0")]
    [InlineData("focus:decay=sideways", "decay", "one of before, after")]
    [InlineData("s3:nesterov=maybe", "nesterov", "true or false")]
    public void Out_of_range_values_name_the_parameter_and_its_range(string spec, string name, string range)
    {
        var e = Refused(spec);
        Assert.Contains(name, e.Message);
        Assert.Contains(range, e.Message);
    }

    [Fact]
    public void An_unknown_hyperparameter_is_named_with_the_known_ones()
    {
        var e = Refused("adam:foo=1");
        Assert.Contains("'foo'", e.Message);
        Assert.Contains("lr, beta1, beta2, eps, weight_decay", e.Message);
    }

    [Fact]
    public void An_unknown_optimizer_id_lists_the_known_ids()
    {
        var e = Refused("adamx:lr=1e-3");
        Assert.Contains("'adamx'", e.Message);
        foreach (var id in new[] { "adamw", "focus", "s3", "lion", "signum", "adafactor" }) Assert.Contains(id, e.Message);
    }

    [Theory]
    [InlineData("adam:lr")]
    [InlineData("adam:lr=")]
    [InlineData("adam:=1")]
    public void A_malformed_setting_is_refused_showing_the_expected_form(string spec)
    {
        var e = Refused(spec);
        Assert.Contains("name=value", e.Message);
    }

    [Fact]
    public void A_setting_given_twice_is_refused()
    {
        var e = Refused("adam:lr=1e-3,lr=2e-3");
        Assert.Contains("lr", e.Message);
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void Invalid_values_set_between_steps_are_refused_too()
    {
        var opt = OptimizerFactory.Create("adamw", [new Parameter("w", 3, 4)]);
        var e = Assert.Throws<ArgumentException>(() => opt.Groups[0].Lr = -1);
        Assert.Contains("lr", e.Message);
        Assert.Contains("≥ 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => opt.Groups[0].Set("beta2", 1.0));
        Assert.Contains("[0, 1)", e.Message);
    }

    [Fact]
    public void Invalid_group_overrides_are_refused()
    {
        var w = new Parameter("w", 3, 4);
        var e = Assert.ThrowsAny<ArgumentException>(() => OptimizerFactory.Create("adamw", [new ParameterGroupSpec([w], ("weight_decay", -1.0))]));
        Assert.Contains("weight_decay", e.Message);
        Assert.Contains("≥ 0", e.Message);
    }
}
