namespace FocusLab.Cli.Tests;

public class StudyOptionValidationTests
{
    [Theory]
    [InlineData("Gauss–Newton smoothness is measured on the MLP", "sharpness", "--model", "gpt", "--gauss-newton-batch", "8")]
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
