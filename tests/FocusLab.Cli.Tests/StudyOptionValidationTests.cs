namespace FocusLab.Cli.Tests;

public class StudyOptionValidationTests
{
    [Theory]
    [InlineData("in 2..8", "sharpness", "--model", "gpt", "--gauss-newton-batch", "9")]
    [InlineData("Unknown --moments 'recent'", "sharpness", "--model", "mlp", "--moments", "recent")]
    [InlineData("--window only applies with --moments window", "sharpness", "--model", "mlp", "--window", "5")]
    [InlineData("Unknown --schedule 'linear'", "rotation", "--network", "mlp", "--schedule", "linear")]
    [InlineData("Clip norm -1 must be 0 (off) or positive", "rotation", "--network", "mlp", "--clip", "-1")]
    [InlineData("at least two --lr-factors", "rotation", "--network", "mlp", "--lr-factors", "1")]
    [InlineData("Unknown preset 'huge'", "rotation", "--network", "gpt", "--preset", "huge")]
    [InlineData("--gauss-newton-batch must be 0 (off)", "sharpness", "--model", "mlp", "--gauss-newton-batch", "-1")]
    [InlineData("in 2..512", "sharpness", "--model", "mlp", "--preset", "quick", "--gauss-newton-batch", "600")]
    [InlineData("--lr-factors", "rotation", "--network", "mlp", "--lrs", "-3:0:4")]
    [InlineData("distinct positive", "rotation", "--network", "mlp", "--lr-factors", "0,1")]
    [InlineData("not a comma-separated list", "rotation", "--network", "mlp", "--lr-factors", "fast")]
    public void Invalid_study_options_are_refused_before_any_work(string message, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
